import { useEffect, useState } from 'react';
import { Card, Input, Select, Space, Table, Tag } from 'antd';
import { useQuery } from 'urql';
import { useUser } from '../app/session';
import { graphql, type ResultOf } from '../graphql/graphql';
import { formatDateTime } from '../common/format';
import { labelOf, OPERATION, optionsOf } from '../common/labels';
import { tablePagination, useCursorPages } from '../common/paging';
import { AuditInput, auditSummary, referenceLabel } from './audit-input';

const AuditLogQuery = graphql(`
  query AuditLog($filter: AuditFilter, $first: Int, $after: String) {
    auditLog(filter: $filter, first: $first, after: $after) {
      totalCount
      pageInfo {
        endCursor
      }
      edges {
        node {
          id
          at
          username
          displayName
          role
          operation
          outcome
          message
          input
          references {
            field
            kind
            id
            name
            code
          }
        }
      }
    }
  }
`);

// The audit outcome is OK, REPLAYED (the same idempotency key again: nothing changed) or the API error code of the refusal.
const OUTCOME: Record<string, string> = {
  OK: '成功',
  REPLAYED: '重复提交（未变更）',
  BAD_USER_INPUT: '输入有误',
  FORBIDDEN: '无权限',
  NOT_FOUND: '不存在',
  INSUFFICIENT_STOCK: '库存不足',
  INVALID_STATE: '状态不允许',
  IDEMPOTENCY_CONFLICT: '重复提交冲突',
  RATE_LIMITED: '频率受限',
  UNAUTHENTICATED: '未登录',
  INTERNAL_SERVER_ERROR: '系统错误',
};

/**
 * Sweep 22c F11: a refused 登录 (wrong password, unknown user) is audited with the code of its refusal, UNAUTHENTICATED —
 * whose label, 未登录, says nothing of a login that failed (「登录 — 未登录」). For 登录 it reads 登录失败; the 说明
 * column says why. Any other operation refused without a session stays 未登录.
 */
const outcomeLabel = (operation: string, outcome: string) =>
  operation === 'login' && outcome === 'UNAUTHENTICATED' ? '登录失败' : (OUTCOME[outcome] ?? outcome);

/** The result filter: UNAUTHENTICATED rows are mostly failed logins, so the option names both. */
const OUTCOME_OPTIONS = Object.entries({ ...OUTCOME, UNAUTHENTICATED: '登录失败/未登录' }).map(([value, label]) => ({ value, label }));

type Entry = ResultOf<typeof AuditLogQuery>['auditLog']['edges'][number]['node'];

/**
 * The records an entry acted on, not its lines' items and batches (those show in its expanded input). Sweep 24b F2: and
 * whose account a user change acted on (or a creation made, an 安置点 was given to), by 姓名 and username.
 */
const SUBJECT_KINDS = new Set(['STORE', 'REGION', 'INCIDENT', 'DOCUMENT', 'TRANSFER', 'USER']);

/**
 * Sweep 22c F7 (D22): 对象 — what the entry touched, by the names the API gives this reader: 「卫辉市救灾物资储备库
 * （S-410781-01）」, an incident's name, a document's number. A record beyond the reader's scope has no name: left out.
 */
const subjectText = (e: Entry) =>
  [...new Map(e.references.filter((r) => SUBJECT_KINDS.has(r.kind) && r.name).map((r) => [r.id, referenceLabel(r)])).values()].join('、') || '—';

/** 审计日志: who did what, when, and whether it was refused (D22). */
export default function AuditLogPage() {
  const user = useUser();
  const [username, setUsername] = useState<string>();
  const [outcome, setOutcome] = useState<string>();
  const [operation, setOperation] = useState<string>();
  const pages = useCursorPages();
  const { reset, remember, page } = pages;
  useEffect(reset, [username, outcome, operation, reset]);
  const filter = { regionCode: user.region?.code, username: username || undefined, outcome, operation };
  const [{ data, fetching }] = useQuery({ query: AuditLogQuery, variables: { filter, ...pages.variables } });
  useEffect(() => remember(page, data?.auditLog.pageInfo.endCursor), [data, page, remember]);
  return (
    <Card title="审计日志">
      <Space wrap className="form-alert">
        <Input.Search placeholder="用户名" allowClear onSearch={setUsername} style={{ width: 200 }} />
        <Select
          style={{ width: 180 }}
          allowClear
          showSearch
          optionFilterProp="label"
          placeholder="全部操作"
          aria-label="操作"
          id="audit-operation"
          value={operation}
          onChange={setOperation}
          options={optionsOf(OPERATION)}
        />
        <Select style={{ width: 140 }} allowClear placeholder="全部结果" aria-label="结果" value={outcome} onChange={setOutcome} options={OUTCOME_OPTIONS} />
      </Space>
      <Table<Entry>
        size="small"
        loading={fetching || pages.walking}
        rowKey="id"
        dataSource={data?.auditLog.edges.map((e) => e.node)}
        pagination={tablePagination(pages, data?.auditLog.totalCount, { query: AuditLogQuery, variables: { filter } })}
        scroll={{ x: 900 }}
        expandable={{ expandedRowRender: (e) => <AuditInput input={e.input} references={e.references} /> }}
        columns={[
          { title: '时间', render: (_, e) => formatDateTime(e.at) },
          { title: '用户', render: (_, e) => (e.displayName ? `${e.displayName}（${e.username}）` : (e.username ?? '—')) },
          { title: '操作', render: (_, e) => labelOf(OPERATION, e.operation) },
          { title: '对象', render: (_, e) => <span data-testid="audit-subject">{subjectText(e)}</span> },
          {
            title: '结果',
            render: (_, e) => (
              <Tag color={e.outcome === 'OK' ? 'green' : e.outcome === 'REPLAYED' ? 'blue' : 'red'}>{outcomeLabel(e.operation, e.outcome)}</Tag>
            ),
          },
          // A refusal's message; for a change that went through, what was decided (sweep 16b F1).
          { title: '说明', render: (_, e) => e.message ?? auditSummary(e.operation, e.input) },
        ]}
      />
    </Card>
  );
}

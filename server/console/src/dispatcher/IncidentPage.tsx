import { useRef, useState } from 'react';
import { Alert, Button, Card, Col, Descriptions, Empty, Form, Popconfirm, Row, Select, Space, Tag, Typography } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { useParams } from 'react-router-dom';
import { CircleMarker, Tooltip } from 'react-leaflet';
import { useClient, useMutation, useQuery } from 'urql';
import { graphql, type ResultOf } from '../graphql/graphql';
import { errorMessages, showFieldErrors } from '../common/api-errors';
import { FormAlerts } from '../common/FormAlerts';
import { ExcelButton } from '../common/ExcelButton';
import { formatDateTime, formatNumber } from '../common/format';
import { PrintButton } from '../common/PrintButton';
import { INCIDENT_TYPE, labelOf, PLAN_STATUS } from '../common/labels';
import { QuantityInput, quantityRules } from '../common/QuantityInput';
import { useLeaveGuard } from '../common/useLeaveGuard';
import { BaseMap } from '../common/map/BaseMap';
import { RESPONSE_LEVEL } from './CreateIncidentModal';
import { IncidentClosing } from './IncidentClosing';
import { IncidentPoints } from './IncidentPoints';
import { IncidentPointNeeds } from './IncidentPointNeeds';
import { DestinationsForm, type DestinationValues } from './DestinationsForm';
import { numberPlans, planLabel, PlanFields, repeatedDemand, type Plan, type RepeatedDemand } from './plan';
import { PlanActions } from './PlanActions';
import { planChanges } from './plan-changes';
import { PlanCallOffs } from './PlanCallOffs';
import { PlanRoutes } from './PlanRoutes';
import { PlanShipments } from './PlanShipments';
import { PlanTimeline } from './PlanTimeline';
import { PlanTable } from './PlanTable';
import { ReshipModal } from './ReshipModal';

const IncidentQuery = graphql(
  `
    query Incident($id: ID!) {
      incident(id: $id) {
        id
        name
        type
        occurredAt
        affectedPopulation
        responseLevel
        hoursSinceOccurred
        closedAt
        basicNeedsDeadline
        basicNeedsMet
        # Sweep 25c F5 (D28): per 安置点 and item, requested against received there.
        basicNeeds {
          store {
            id
            name
            region {
              name
            }
          }
          item {
            id
            name
            unit
          }
          requested
          received
          receivedByDeadline
          met
        }
        householdsServed
        location {
          lat
          lng
        }
        region {
          code
          name
        }
        plans {
          ...PlanFields
        }
      }
    }
  `,
  [PlanFields],
);

// Sweep 21b F5 (D15, D23): first what every reader of the incident may read, and whether they read only that — one whose
// region lies inside the incident's (a township's dispatcher, the county's flood) reads it as reference data, its figures
// and plans being the county's: the full query would be refused them.
const IncidentReferenceQuery = graphql(`
  query IncidentReference($id: ID!) {
    incident(id: $id) {
      id
      name
      type
      occurredAt
      affectedPopulation
      responseLevel
      closedAt
      referenceOnly
      location {
        lat
        lng
      }
      region {
        code
        name
      }
    }
  }
`);

const Suggest = graphql(
  `
    query SuggestPlan($input: DispatchRequestInput!) {
      suggestDispatchPlan(input: $input) {
        ...PlanFields
      }
    }
  `,
  [PlanFields],
);

const RequestDispatch = graphql(
  `
    mutation RequestDispatch($input: DispatchRequestInput!) {
      requestDispatch(input: $input) {
        ...PlanFields
      }
    }
  `,
  [PlanFields],
);

// Sweep 19a F7: what the incident's plans already carry, read afresh from the API when 提交方案 is clicked — another tab,
// another dispatcher or a plan submitted before a reload count as much as this page's last one.
const IncidentPlansQuery = graphql(`
  query IncidentPlans($id: ID!) {
    incident(id: $id) {
      id
      plans {
        id
        status
        requestedAt
        number
        lines {
          destination {
            name
          }
          item {
            id
            name
            unit
          }
          quantity
        }
      }
    }
  }
`);

interface Values {
  deadlineHours: number;
  destinations: DestinationValues[];
}

/**
 * An incident: its 安置点 and demand, 生成方案 (routes on the map and a table), request, approve, execute, 撤销调拨 of an
 * executed plan's shipment not yet received (D24, D27: the command's, not the keeper's); then 回收清点 and 结束事件
 * (D12, D30), after which no 安置点 or dispatch request is offered (D29).
 */
export default function IncidentPage() {
  const { id = '' } = useParams();
  const client = useClient();
  const [form] = Form.useForm<Values>();
  const [{ data: reference, fetching: referenceFetching }] = useQuery({ query: IncidentReferenceQuery, variables: { id } });
  const referenceOnly = reference?.incident?.referenceOnly;
  const [{ data, fetching }, refetch] = useQuery({ query: IncidentQuery, variables: { id }, pause: referenceOnly !== false });
  const [suggestion, setSuggestion] = useState<Plan>();
  const [suggesting, setSuggesting] = useState(false);
  const [alerts, setAlerts] = useState<string[]>([]);
  const [selectedPlanId, setSelectedPlanId] = useState<string>();
  // Sweep 16b F14: the plan just submitted, shown at once — until the incident is fetched again it is not among its
  // plans, and the page showed an older one in its place (whose 紧急批准/取消方案 then acted on that older plan).
  const [requested, setRequested] = useState<Plan & { id: string }>();
  // A second click while the first is still being checked (before the request is under way) sends nothing.
  const submitting = useRef(false);
  const [requesting, request] = useMutation(RequestDispatch);
  // L9: 安置点 and demand typed in and not yet requested are lost on a reload or a move to another screen: both ask
  // first. Rows sent with 提交方案 leave the form (sweep 19a F7), so whatever is in it is unsent.
  const destinations = Form.useWatch('destinations', form) as DestinationValues[] | undefined;
  useLeaveGuard((destinations?.length ?? 0) > 0, '录入的安置点和需求尚未提交，离开本页将丢失。');
  // Sweep 19a F7: the request's 安置点 and items a live plan of the incident already has — 提交方案 asks first.
  const [repeated, setRepeated] = useState<RepeatedDemand[]>();
  // Sweep 19a F1 (D28): the plan line being made good by a 补发, and a count of those sent (the shipments list reloads).
  const [reshipping, setReshipping] = useState<Plan['lines'][number]>();
  const [reshipped, setReshipped] = useState(0);
  // Sweep 23c F7: what the plan just submitted changed of the suggestion reviewed (the server plans afresh).
  const [changed, setChanged] = useState<string[]>([]);
  if (reference?.incident?.referenceOnly) return <IncidentReference incident={reference.incident} />;
  const incident = data?.incident;
  if (!incident) {
    const loading = fetching || referenceFetching || (referenceOnly === false && !data);
    return <Card loading={loading}>{!loading && <Empty description="找不到该事件，或您无权查看" />}</Card>;
  }

  const listed = incident.plans.filter((p): p is Plan & { id: string } => Boolean(p.id));
  const { numbered: plans, current } = numberPlans(requested && !listed.some((p) => p.id === requested.id) ? [requested, ...listed] : listed);
  const saved = plans.find((p) => p.id === selectedPlanId) ?? current;
  const shown = suggestion ?? saved;
  // L16: the hours shown stop at a closed incident's closing, as the API's hoursSinceOccurred does. Met or not is settled
  // once the 10 hours are past, or at the closing (nothing arrives after it).
  const hours = incident.hoursSinceOccurred;
  const settled = Boolean(incident.closedAt) || hours > 10;
  const input = (v: Values) => ({ incidentId: incident.id, deadlineHours: v.deadlineHours, destinations: v.destinations ?? [] });

  /**
   * A new 安置点 row: where the map was clicked, or — by the 添加安置点 button (sweep 22c F2: the map was the only way, and
   * no keyboard reaches it) — with its 纬度/经度 left to be typed, and the cursor put in its name.
   */
  const addDestination = (at?: { lat: number; lng: number }) => {
    const list = form.getFieldValue('destinations') as DestinationValues[] | undefined;
    // A new name: the server takes one name for one 安置点 of the incident (D29), so a click elsewhere is not an old point.
    const taken = new Set([...incident.plans.flatMap((p) => p.destinations.map((d) => d.name)), ...(list ?? []).map((d) => d.name)]);
    let n = (list?.length ?? 0) + 1;
    while (taken.has(`安置点${n}`)) n++;
    form.setFieldValue('destinations', [
      ...(list ?? []),
      {
        name: `安置点${n}`,
        regionCode: incident.region.code,
        lat: at ? Number(at.lat.toFixed(5)) : undefined,
        lng: at ? Number(at.lng.toFixed(5)) : undefined,
        lines: [{}],
      },
    ]);
    const index = list?.length ?? 0;
    if (!at) setTimeout(() => document.getElementById(`destinations_${index}_name`)?.focus());
  };
  /** Sweep 22c F2: with no 安置点 the API's 「至少一个安置点」 said nothing of how to add one. */
  const noDestination = (v: Values) => {
    if (v.destinations?.length) return false;
    setAlerts(['至少一个安置点：请在地图上点击，或点「添加安置点」']);
    return true;
  };
  const suggest = async () => {
    const v = await form.validateFields();
    setAlerts([]);
    setChanged([]);
    if (noDestination(v)) return;
    setSuggesting(true);
    const result = await client.query(Suggest, { input: input(v) }, { requestPolicy: 'network-only' }).toPromise();
    setSuggesting(false);
    if (result.error) setAlerts(showFieldErrors(form, result.error));
    else setSuggestion(result.data?.suggestDispatchPlan);
  };
  /** `confirmed`: the question about demand already planned was answered 仍要提交. */
  const submit = async (confirmed: boolean) => {
    if (submitting.current) return;
    submitting.current = true;
    try {
      await submitOnce(confirmed);
    } finally {
      submitting.current = false;
    }
  };
  const submitOnce = async (confirmed: boolean) => {
    const v = await form.validateFields();
    setAlerts([]);
    if (noDestination(v)) return;
    if (!confirmed) {
      // Sweep 19a F7 (D23, D24): a 安置点 and item a live plan of the incident already carries, requested again, would
      // ship twice once both are approved — asked first, naming the plans, whatever else the request adds. Read from
      // the API, not this page's memory (a plan of another tab, or from before a reload, counts as much).
      const onRecord = await client.query(IncidentPlansQuery, { id: incident.id }, { requestPolicy: 'network-only' }).toPromise();
      if (onRecord.error) return setAlerts(errorMessages(onRecord.error));
      const { numbered } = numberPlans((onRecord.data?.incident?.plans ?? []).filter((p): p is typeof p & { id: string } => Boolean(p.id)));
      const again = repeatedDemand(v.destinations ?? [], numbered);
      if (again.length) return setRepeated(again);
    }
    const reviewed = suggestion;
    const result = await request({ input: input(v) });
    if (result.error) return setAlerts(showFieldErrors(form, result.error));
    // Sweep 19a F7: the rows the plan carries leave the form — left in, the next 安置点 added and submitted requested them
    // all again. The plan shown below lists them.
    form.setFieldValue('destinations', []);
    setSuggestion(undefined);
    const plan = result.data?.requestDispatch;
    // Sweep 23c F7 (D14, D28): the server plans the request afresh against today's stock; when another plan took what
    // the suggestion counted on, the plan submitted has other sources, tiers or ETAs — said, line by line.
    setChanged(plan && reviewed ? planChanges(reviewed, plan) : []);
    if (plan?.id) setRequested({ ...plan, id: plan.id });
    setSelectedPlanId(plan?.id ?? undefined);
    refetch({ requestPolicy: 'network-only' });
  };

  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Card
        title={`事件：${incident.name}`}
        extra={
          <ExcelButton
            path="/exports/incident-balance.xlsx"
            params={{ incidentId: incident.id }}
            fileName={`事件物资收支-${incident.name}.xlsx`}
            label="物资收支 Excel"
          />
        }
      >
        <Descriptions size="small" column={{ xs: 1, md: 4 }}>
          <Descriptions.Item label="类型">{labelOf(INCIDENT_TYPE, incident.type)}</Descriptions.Item>
          <Descriptions.Item label="区划">{incident.region.name}</Descriptions.Item>
          <Descriptions.Item label="发生时间">{formatDateTime(incident.occurredAt)}</Descriptions.Item>
          <Descriptions.Item label="状态">
            {incident.closedAt ? <Tag>已结束（{formatDateTime(incident.closedAt)}）</Tag> : <Tag color="processing">进行中</Tag>}
          </Descriptions.Item>
          {/* A line of its own: in a quarter of the width (1024 or 1280 px wide) its text stood one character per line.
              Sweep 25c F12 (D28): the flag is the goods received at the 安置点 within 10 h — not people relieved (已救助户数,
              beside it, counts those): 「基本生活得到救助 已达标」 read beside 「已救助户数 0」. */}
          <Descriptions.Item label="灾后 10 小时内物资送达安置点" span="filled">
            <Tag color={incident.basicNeedsMet ? 'green' : settled ? 'red' : 'orange'} data-testid="basic-needs">
              {incident.basicNeedsMet ? '已达标' : settled ? '未达标' : '进行中'}
            </Tag>
            截止 {formatDateTime(incident.basicNeedsDeadline)}
            <span data-testid="hours-since">{incident.closedAt ? `（结束于灾后 ${hours.toFixed(1)} 小时）` : `（灾后 ${hours.toFixed(1)} 小时）`}</span>
          </Descriptions.Item>
          <Descriptions.Item label="受灾人口">{incident.affectedPopulation ?? '—'}</Descriptions.Item>
          <Descriptions.Item label="响应级别">
            {incident.responseLevel ? (RESPONSE_LEVEL[incident.responseLevel] ?? incident.responseLevel) : '—'}
          </Descriptions.Item>
          <Descriptions.Item label="已救助户数">{incident.householdsServed}</Descriptions.Item>
        </Descriptions>
      </Card>
      <Row gutter={16}>
        <Col xs={24} xl={12}>
          <Card size="small" title={incident.closedAt ? '地图' : '地图（点击添加安置点）'}>
            <BaseMap compact center={incident.location} zoom={10} onClick={incident.closedAt ? undefined : addDestination}>
              <CircleMarker
                center={incident.location}
                radius={11}
                pathOptions={
                  incident.closedAt
                    ? { color: '#8c8c8c', fillColor: '#d9d9d9', fillOpacity: 0.8 }
                    : { color: '#a8071a', fillColor: '#ff4d4f', fillOpacity: 0.8 }
                }
                bubblingMouseEvents={false}
              >
                {/* Keyed by state: react-leaflet gives a tooltip its class only when it is made (结束事件 changes it here). */}
                <Tooltip
                  key={incident.closedAt ? 'closed' : 'active'}
                  permanent
                  direction="top"
                  offset={[0, -8]}
                  className={incident.closedAt ? 'incident-label closed' : 'incident-label'}
                >
                  {incident.name}
                  {incident.closedAt && ' · 已结束'}
                </Tooltip>
              </CircleMarker>
              {shown && <PlanRoutes plan={shown} />}
              {/* Sweep 16b F16: a 安置点 being entered (a click on the map, or typed coordinates) is drawn at once, not only
                  once a plan for it exists; dashed until submitted. The shown plan draws its own. */}
              {(destinations ?? [])
                .filter((d) => d && Number.isFinite(d.lat) && Number.isFinite(d.lng) && !shown?.destinations.some((p) => p.name === d.name))
                .map((d, i) => (
                  <CircleMarker
                    key={`new-${i}`}
                    className="new-destination"
                    center={{ lat: d.lat, lng: d.lng }}
                    radius={7}
                    pathOptions={{ color: '#237804', dashArray: '3 3', fillOpacity: 0.3 }}
                    bubblingMouseEvents={false}
                  >
                    <Tooltip permanent direction="bottom">
                      {d.name || '新安置点'}
                    </Tooltip>
                  </CircleMarker>
                ))}
            </BaseMap>
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Card size="small" title="安置点与需求">
            {incident.closedAt ? (
              <Alert type="info" showIcon message="事件已结束，不再开设安置点、申请调拨或向群众发放；回收清点仍可继续。" />
            ) : (
              <>
                <FormAlerts messages={alerts} />
                <Form form={form} layout="vertical" initialValues={{ deadlineHours: 10, destinations: [] }} onValuesChange={() => setSuggestion(undefined)}>
                  {!destinations?.length && (
                    <Typography.Paragraph type="secondary">尚无安置点：在左侧地图上点击安置点的位置，或点「添加安置点」填写名称和经纬度。</Typography.Paragraph>
                  )}
                  <DestinationsForm />
                  <div className="form-alert">
                    <Button icon={<PlusOutlined />} onClick={() => addDestination()}>
                      添加安置点
                    </Button>
                  </div>
                  <Space wrap>
                    {/* What was typed is kept and checked under the field: a typed −3 became 1, and the plan was made for 1 hour. */}
                    <Form.Item name="deadlineHours" label="送达时限（小时）" rules={quantityRules('hours', '请填写送达时限')}>
                      <QuantityInput />
                    </Form.Item>
                    <Button onClick={() => void suggest().catch(() => {})} loading={suggesting}>
                      生成方案
                    </Button>
                    {/* 提交方案 takes the plan just generated, once: submitted, it is cleared (生成方案 again for another). A
                        安置点 and item already in a live plan of the incident asks first (sweep 19a F7). */}
                    <Popconfirm
                      open={Boolean(repeated)}
                      onOpenChange={(open) => !open && setRepeated(undefined)}
                      title={`与已提交的${[...new Set(repeated?.flatMap((r) => r.plans.map((p) => p.label)))].join('、')}需求相同`}
                      description={<RepeatedList repeated={repeated ?? []} />}
                      okText="仍要提交"
                      cancelText="不提交"
                      onConfirm={() => {
                        setRepeated(undefined);
                        void submit(true).catch(() => {});
                      }}
                      onCancel={() => setRepeated(undefined)}
                    >
                      <Button type="primary" disabled={!suggestion} loading={requesting.fetching} onClick={() => void submit(false).catch(() => {})}>
                        提交方案
                      </Button>
                    </Popconfirm>
                  </Space>
                </Form>
              </>
            )}
          </Card>
        </Col>
      </Row>
      {suggestion && (
        <Card size="small" title="建议方案（未保存）">
          <PlanTable plan={suggestion} />
        </Card>
      )}
      {!suggestion && saved && (
        <Card
          size="small"
          title={<span data-testid="plan-title">{`调拨方案 · ${planLabel(saved)}`}</span>}
          extra={
            <Space>
              {plans.length > 1 && (
                <Select
                  style={{ width: 220 }}
                  value={saved.id}
                  onChange={setSelectedPlanId}
                  options={plans.map((p) => ({ value: p.id, label: `方案 ${p.no} · ${labelOf(PLAN_STATUS, p.status)}` }))}
                  aria-label="选择方案"
                />
              )}
              <PrintButton path={`/paperwork/dispatch-plans/${saved.id}.html`} label="打印调拨令" />
            </Space>
          }
        >
          {/* Sweep 19a F16: each block keyed by the plan, under a key of its own — siblings under one key (saved.id twice)
              left the blocks of plans viewed before on the card (their figures, their dead 结束方案) after 选择方案. */}
          {changed.length > 0 && saved.id === requested?.id && (
            <Alert
              type="warning"
              showIcon
              closable
              onClose={() => setChanged([])}
              data-testid="plan-changed"
              style={{ marginBottom: 12 }}
              message="库存已变化，提交的方案与建议不同："
              description={
                <ul style={{ paddingLeft: 18, margin: 0 }}>
                  {changed.map((c) => (
                    <li key={c}>{c}</li>
                  ))}
                </ul>
              }
            />
          )}
          <PlanActions
            key={`actions-${saved.id}`}
            plan={saved}
            label={planLabel(saved)}
            onChanged={() => {
              setSelectedPlanId(saved.id); // stay on the plan just acted on, though it may need no more action
              refetch({ requestPolicy: 'network-only' });
            }}
            onStatus={() => refetch({ requestPolicy: 'network-only' })}
          />
          <PlanTimeline key={`timeline-${saved.id}`} plan={saved} occurredAt={incident.occurredAt} />
          <PlanTable plan={saved} onReship={incident.closedAt ? undefined : setReshipping} />
          {(saved.status === 'EXECUTING' || saved.status === 'COMPLETED') && (
            <PlanShipments key={`shipments-${saved.id}-${reshipped}`} planId={saved.id} onChanged={() => refetch({ requestPolicy: 'network-only' })} />
          )}
          {reshipping && (
            <ReshipModal
              key={`reship-${saved.id}`}
              planId={saved.id}
              label={planLabel(saved)}
              line={reshipping}
              onClose={(done) => {
                setReshipping(undefined);
                if (!done) return;
                setReshipped((n) => n + 1);
                refetch({ requestPolicy: 'network-only' });
              }}
            />
          )}
          {/* Sweep 19a F12 (D17): the plan's call-offs, each delivered or cancelled here, or the plan and incident never end. */}
          {(saved.status === 'EXECUTING' || saved.status === 'COMPLETED') && (
            <PlanCallOffs key={`call-offs-${saved.id}`} planId={saved.id} onChanged={() => refetch({ requestPolicy: 'network-only' })} />
          )}
        </Card>
      )}
      {/* Sweep 25c F5 (D28): how much reached each 安置点 and township, against the 10 hours. */}
      <IncidentPointNeeds needs={incident.basicNeeds} settled={settled} />
      {/* Sweep 23b (D29): the incident's 安置点, each with 编辑 (name, address, contact). */}
      <IncidentPoints incidentId={incident.id} plans={incident.plans.map((p) => p.id).join(',')} />
      <IncidentClosing
        incident={incident}
        deliveries={JSON.stringify(incident.plans.map((p) => [p.id, p.status, p.lines.map((l) => l.receivedQuantity)]))}
        onChanged={() => refetch({ requestPolicy: 'network-only' })}
      />
    </Space>
  );
}

/** What a request repeats of the incident's live plans, line by line, for 提交方案's question (sweep 19a F7). */
function RepeatedList({ repeated }: { repeated: RepeatedDemand[] }) {
  return (
    <div data-testid="repeated-demand" style={{ maxWidth: 420 }}>
      <ul style={{ paddingLeft: 18, margin: '4px 0' }}>
        {repeated.map((r) => (
          <li key={`${r.destination}|${r.item}`}>
            {r.destination} · {r.item}：
            {r.plans.map((p) => `${p.label}（${labelOf(PLAN_STATUS, p.status)}）已安排 ${formatNumber(p.quantity)} ${p.unit}`).join('；')}
          </li>
        ))}
      </ul>
      再提交将重复申请这些物资，两份都批准会重复调拨。确定再提交一次吗？
    </div>
  );
}

/**
 * Sweep 21b F5 (D15, D23, D24): an incident read as reference data — by one whose region lies inside its region (a
 * township's dispatcher or auditor under the county's flood). What it is and where; no figures, plans or actions: those
 * are its region's command's, and the page says so.
 */
function IncidentReference({ incident }: { incident: NonNullable<ResultOf<typeof IncidentReferenceQuery>['incident']> }) {
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Card title={`事件：${incident.name}`} extra={<Tag>仅查看</Tag>}>
        <Alert
          type="info"
          showIcon
          data-testid="incident-reference-only"
          style={{ marginBottom: 12 }}
          message={`本事件由${incident.region.name}指挥处置：调拨方案、安置点、发放、回收和事件的物资收支由其调度员办理和掌握；您所在区划在事件范围内，只能查看事件的基本信息。`}
        />
        <Descriptions size="small" column={{ xs: 1, md: 4 }}>
          <Descriptions.Item label="类型">{labelOf(INCIDENT_TYPE, incident.type)}</Descriptions.Item>
          <Descriptions.Item label="区划">{incident.region.name}</Descriptions.Item>
          <Descriptions.Item label="发生时间">{formatDateTime(incident.occurredAt)}</Descriptions.Item>
          <Descriptions.Item label="状态">
            {incident.closedAt ? <Tag>已结束（{formatDateTime(incident.closedAt)}）</Tag> : <Tag color="processing">进行中</Tag>}
          </Descriptions.Item>
          <Descriptions.Item label="受灾人口">{incident.affectedPopulation ?? '—'}</Descriptions.Item>
          <Descriptions.Item label="响应级别">
            {incident.responseLevel ? (RESPONSE_LEVEL[incident.responseLevel] ?? incident.responseLevel) : '—'}
          </Descriptions.Item>
        </Descriptions>
      </Card>
      <Card size="small" title="地图">
        <BaseMap compact center={incident.location} zoom={10}>
          <CircleMarker center={incident.location} radius={11} pathOptions={{ color: '#a8071a', fillColor: '#ff4d4f', fillOpacity: 0.8 }}>
            <Tooltip permanent direction="top" offset={[0, -8]} className="incident-label">
              {incident.name}
            </Tooltip>
          </CircleMarker>
        </BaseMap>
      </Card>
    </Space>
  );
}

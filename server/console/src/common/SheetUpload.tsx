import { useState, type ReactNode } from 'react';
import { Alert, App, Button, Space, Upload } from 'antd';
import { UploadOutlined } from '@ant-design/icons';
import { Link } from 'react-router-dom';
import { fileSessionEnd } from '../app/client';
import { useSession } from '../app/session';
import { authHeaders } from '../app/token';

interface RowError {
  row: number;
  column: string;
  message: string;
}
interface Refusal {
  message: string;
  errors?: RowError[];
}

/** The API's answer to an upload: the document it posted (or submitted for approval), with its status (StockDocument.status). */
interface Posted {
  documentId: string;
  number: string;
  status?: string;
}

/**
 * What became of the uploaded document, by its status (sweep 18b F9): a stocktake with differences waits for a second
 * person (D27) and changes no stock until then — 「已入账」 would tell the keeper there is nothing to chase.
 */
const postedWords = (p: Posted, pendingWords: string) => (p.status === 'PENDING_APPROVAL' ? `${p.number} 已提交，${pendingWords}` : `${p.number} 已入账`);

/**
 * Uploads a filled-in Excel sheet (POST <path>, multipart `file`, the session token): the API posts it as one document,
 * or refuses it whole and lists every bad row (row, column, what is wrong), which is shown here. `before` goes beside
 * the upload button (the download of the blank sheet).
 */
export function SheetUpload({
  path,
  label,
  onPosted,
  before,
  pendingWords = '待审批后入账',
}: {
  path: string;
  label: string;
  onPosted: () => void;
  before?: ReactNode;
  /** What a document awaiting its second person waits for (D27): 「待审批后调账」 for a stocktake. */
  pendingWords?: string;
}) {
  const { message } = App.useApp();
  const { sessionRefused } = useSession();
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<Refusal>();
  const [posted, setPosted] = useState<Posted>();
  const upload = async (file: File) => {
    setBusy(true);
    setRefusal(undefined);
    setPosted(undefined);
    try {
      const body = new FormData();
      body.append('file', file);
      const res = await fetch(path, { method: 'POST', headers: authHeaders(), body });
      const answer = (await res.json().catch(() => null)) as (Posted & { error?: Refusal }) | null;
      // The session refused (expired, 退出 elsewhere, the account disabled): the login over the page, as for GraphQL.
      const ended = fileSessionEnd(answer);
      if (ended) sessionRefused(ended);
      if (!res.ok || !answer || answer.error) return setRefusal(answer?.error ?? { message: `上传失败（${res.status}）` });
      setPosted(answer);
      void message.success(postedWords(answer, pendingWords));
      onPosted();
    } catch {
      setRefusal({ message: '无法连接服务器，上传失败' });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Space direction="vertical" style={{ width: '100%' }} className="form-alert">
      <Space wrap>
        {before}
        <Upload
          accept=".xlsx"
          showUploadList={false}
          beforeUpload={(file) => {
            void upload(file);
            return false;
          }}
        >
          <Button icon={<UploadOutlined />} loading={busy}>
            {label}
          </Button>
        </Upload>
      </Space>
      {refusal && (
        <Alert
          type="error"
          showIcon
          role="alert"
          message={refusal.message}
          description={
            refusal.errors && refusal.errors.length > 0 ? (
              <ul>
                {refusal.errors.slice(0, 50).map((e) => (
                  <li key={`${e.row}-${e.column}-${e.message}`}>{e.row ? `第 ${e.row} 行「${e.column}」：${e.message}` : e.message}</li>
                ))}
              </ul>
            ) : undefined
          }
        />
      )}
      {posted && (
        <Alert type="success" showIcon message={<Link to={`/documents/${posted.documentId}`}>{`单据 ${postedWords(posted, pendingWords)}，查看单据`}</Link>} />
      )}
    </Space>
  );
}

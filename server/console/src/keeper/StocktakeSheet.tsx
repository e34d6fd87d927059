import { useState } from 'react';
import { Alert, App, Button, Space, Upload } from 'antd';
import { UploadOutlined } from '@ant-design/icons';
import { Link } from 'react-router-dom';
import { authHeaders } from '../app/token';
import { ExcelButton } from '../common/ExcelButton';

interface RowError {
  row: number;
  column: string;
  message: string;
}
interface Refusal {
  message: string;
  errors?: RowError[];
}

/**
 * 盘点表 on paper: download the store's count sheet (Excel), count, and upload it filled in — the API posts it as one
 * stocktake or lists every bad row (row, column, what is wrong) and posts nothing.
 */
export function StocktakeSheet({ storeId, onPosted }: { storeId: string; onPosted: () => void }) {
  const { message } = App.useApp();
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<Refusal>();
  const [posted, setPosted] = useState<{ documentId: string; number: string }>();
  const upload = async (file: File) => {
    setBusy(true);
    setRefusal(undefined);
    setPosted(undefined);
    try {
      const body = new FormData();
      body.append('file', file);
      const res = await fetch(`/paperwork/stocktake-sheets/${storeId}`, { method: 'POST', headers: authHeaders(), body });
      const answer = (await res.json().catch(() => null)) as ({ documentId: string; number: string } & { error?: Refusal }) | null;
      if (!res.ok || !answer || answer.error) return setRefusal(answer?.error ?? { message: `上传失败（${res.status}）` });
      setPosted(answer);
      void message.success(`盘点表已入账：${answer.number}`);
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
        <ExcelButton path={`/paperwork/stocktake-sheets/${storeId}.xlsx`} params={{}} fileName="盘点表.xlsx" label="下载盘点表" />
        <Upload
          accept=".xlsx"
          showUploadList={false}
          beforeUpload={(file) => {
            void upload(file);
            return false;
          }}
        >
          <Button icon={<UploadOutlined />} loading={busy}>
            上传填好的盘点表
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
              <ul className="row-errors">
                {refusal.errors.slice(0, 50).map((e) => (
                  <li key={`${e.row}-${e.column}-${e.message}`}>{e.row ? `第 ${e.row} 行「${e.column}」：${e.message}` : e.message}</li>
                ))}
              </ul>
            ) : undefined
          }
        />
      )}
      {posted && <Alert type="success" showIcon message={<Link to={`/documents/${posted.documentId}`}>盘点单 {posted.number} 已入账，查看单据</Link>} />}
    </Space>
  );
}

import { useState } from 'react';
import { App, Button } from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import { authHeaders } from '../app/token';

/**
 * Downloads one of the API's Excel exports (GET /exports/…, the same bearer token) as a file; a refusal shows the
 * API's Chinese message.
 */
export function ExcelButton({
  path,
  params,
  fileName,
  label = '导出 Excel',
}: {
  path: string;
  params: Record<string, string | undefined>;
  fileName: string;
  label?: string;
}) {
  const { message } = App.useApp();
  const [busy, setBusy] = useState(false);
  const download = async () => {
    setBusy(true);
    try {
      const query = new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => Boolean(e[1])));
      const res = await fetch(`${path}?${query}`, { headers: authHeaders() });
      if (!res.ok) {
        const body = (await res.json().catch(() => null)) as { error?: { message?: string }; errors?: { message: string }[] } | null;
        void message.error(body?.error?.message ?? body?.errors?.[0]?.message ?? `导出失败（${res.status}）`);
        return;
      }
      const url = URL.createObjectURL(await res.blob());
      const a = document.createElement('a');
      a.href = url;
      a.download = fileName;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch {
      void message.error('无法连接服务器，导出失败');
    } finally {
      setBusy(false);
    }
  };
  return (
    <Button icon={<DownloadOutlined />} loading={busy} onClick={() => void download()}>
      {label}
    </Button>
  );
}

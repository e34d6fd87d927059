import { useState } from 'react';
import { App, Button } from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import { fileSessionEnd } from '../app/client';
import { useSession } from '../app/session';
import { pathWithQuery, useDownloadLink } from './download-link';

/**
 * Downloads one of the API's Excel exports (/exports/<list>.xlsx with the list's filters) through a one-use download
 * link; a refusal — when the link is minted or when the file is produced — shows the API's Chinese message.
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
  const { sessionRefused } = useSession();
  const mint = useDownloadLink();
  const [busy, setBusy] = useState(false);
  const download = async () => {
    setBusy(true);
    try {
      const link = await mint(pathWithQuery(path, params));
      if ('errors' in link) return void message.error(link.errors.join('；'));
      const res = await fetch(link.url);
      if (!res.ok) {
        const body = (await res.json().catch(() => null)) as { error?: { message?: string }; errors?: { message: string }[] } | null;
        // The session that minted the link ended meanwhile, or the account was disabled: the login over the page.
        const ended = fileSessionEnd(body);
        if (ended) sessionRefused(ended);
        return void message.error(body?.error?.message ?? body?.errors?.[0]?.message ?? `导出失败（${res.status}）`);
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

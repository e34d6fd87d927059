import { useState } from 'react';
import { App, Button } from 'antd';
import { PrinterOutlined } from '@ant-design/icons';
import { useDownloadLink } from './download-link';

/**
 * Opens the server's print-ready A4 page of a document or a plan (/paperwork/…html) in a new tab through a one-use
 * link. The tab is opened at the click, so that no pop-up blocker stops it, and pointed at the page once the link is
 * minted.
 */
export function PrintButton({ path, label = '打印', size }: { path: string; label?: string; size?: 'small' }) {
  const { message } = App.useApp();
  const mint = useDownloadLink();
  const [busy, setBusy] = useState(false);
  const print = async () => {
    const tab = window.open('', '_blank');
    setBusy(true);
    try {
      const link = await mint(path);
      if ('errors' in link) {
        tab?.close();
        return void message.error(link.errors.join('；'));
      }
      if (tab) tab.location.href = link.url;
      else window.location.href = link.url;
    } finally {
      setBusy(false);
    }
  };
  return (
    <Button className="no-print" size={size} icon={<PrinterOutlined />} loading={busy} onClick={() => void print()}>
      {label}
    </Button>
  );
}

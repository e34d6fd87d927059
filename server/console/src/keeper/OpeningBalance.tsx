import { useState } from 'react';
import { Button, Typography } from 'antd';
import { Modal } from '../common/Modal';
import { FileExcelOutlined } from '@ant-design/icons';
import { ExcelButton } from '../common/ExcelButton';
import { SheetUpload } from '../common/SheetUpload';

/** 期初建账: a store's opening stock from the Excel template, posted as one receipt (every bad row listed, else posted). */
export function OpeningBalance({ storeId, storeName }: { storeId: string; storeName?: string }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button icon={<FileExcelOutlined />} onClick={() => setOpen(true)}>
        期初建账（Excel）
      </Button>
      <Modal open={open} title={`期初建账：${storeName ?? ''}`} footer={null} onCancel={() => setOpen(false)} destroyOnHidden>
        <Typography.Paragraph type="secondary">下载模板，按批次填写期初库存后上传；文件中有任何错误都不会入账，并逐行列出。</Typography.Paragraph>
        <SheetUpload
          path={`/paperwork/opening-balances/${storeId}`}
          label="上传期初库存"
          onPosted={() => undefined}
          before={<ExcelButton path="/paperwork/opening-balance-template.xlsx" params={{}} fileName="期初建账模板.xlsx" label="下载模板" />}
        />
      </Modal>
    </>
  );
}

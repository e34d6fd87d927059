import { useState } from 'react';
import { Select, Space, Typography } from 'antd';
import { useQuery } from 'urql';
import { graphql } from '../graphql/graphql';
import { ExcelButton } from '../common/ExcelButton';
import { SheetUpload } from '../common/SheetUpload';

/** Rows one upload takes (README Paperwork; server/paperwork/sheet-reader.ts MAX_UPLOAD_ROWS). */
const MAX_UPLOAD_ROWS = 1000;

const SheetSizeQuery = graphql(`
  query StocktakeSheetSize($storeId: ID!) {
    stock(filter: { storeId: $storeId }, first: 0) {
      totalCount
    }
    categories {
      code
      name
    }
  }
`);

/**
 * 盘点表 on paper (D9): download the store's count sheet, count, and upload it filled in as one stocktake. D9 (sweep 22a
 * F7): a store holding more batches than one upload takes is offered the sheet per category (?categoryCode=), each
 * counted and uploaded on its own; the whole sheet stays downloadable (to print).
 */
export function StocktakeSheet({ storeId, onPosted }: { storeId: string; onPosted: () => void }) {
  const [{ data }] = useQuery({ query: SheetSizeQuery, variables: { storeId } });
  const [categoryCode, setCategoryCode] = useState<string | undefined>();
  const lines = data?.stock.totalCount ?? 0;
  const tooLong = lines > MAX_UPLOAD_ROWS;
  const path = `/paperwork/stocktake-sheets/${storeId}.xlsx`;
  const whole = <ExcelButton path={path} params={{}} fileName="盘点表.xlsx" label="下载盘点表" />;
  const perCategory = (
    <Space wrap>
      <Typography.Text type="warning">
        本库 {lines} 个批次，超过一次导入上限 {MAX_UPLOAD_ROWS} 行：请按类别下载盘点表，分别填报导入
      </Typography.Text>
      <Select
        aria-label="盘点表类别"
        placeholder="选择类别"
        style={{ minWidth: 160 }}
        value={categoryCode}
        onChange={setCategoryCode}
        options={(data?.categories ?? []).map((c) => ({ value: c.code, label: c.name }))}
      />
      {categoryCode && <ExcelButton path={path} params={{ categoryCode }} fileName={`盘点表-${categoryCode}.xlsx`} label="下载该类别盘点表" />}
      {whole}
    </Space>
  );
  return (
    <SheetUpload
      path={`/paperwork/stocktake-sheets/${storeId}`}
      label="上传填好的盘点表"
      onPosted={onPosted}
      pendingWords="待审批后调账"
      before={tooLong ? perCategory : whole}
    />
  );
}

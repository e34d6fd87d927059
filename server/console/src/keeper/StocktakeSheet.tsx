import { ExcelButton } from '../common/ExcelButton';
import { SheetUpload } from '../common/SheetUpload';

/** 盘点表 on paper (D9): download the store's count sheet, count, and upload it filled in as one stocktake. */
export function StocktakeSheet({ storeId, onPosted }: { storeId: string; onPosted: () => void }) {
  return (
    <SheetUpload
      path={`/paperwork/stocktake-sheets/${storeId}`}
      label="上传填好的盘点表"
      onPosted={onPosted}
      pendingWords="待审批后调账"
      before={<ExcelButton path={`/paperwork/stocktake-sheets/${storeId}.xlsx`} params={{}} fileName="盘点表.xlsx" label="下载盘点表" />}
    />
  );
}

// Stock reason codes (data, not code): inputs name them by code; the direction says which way stock moves.
export interface StockReasonSeed {
  code: string;
  name: string;
  direction: 'INCREASE' | 'DECREASE';
  usages: ('ISSUE' | 'STOCKTAKE' | 'SCRAP' | 'TRANSFER' | 'ROTATION')[];
}

export const stockReasonSeeds: readonly StockReasonSeed[] = [
  { code: 'STOCKTAKE_GAIN', name: '盘盈', direction: 'INCREASE', usages: ['STOCKTAKE'] },
  { code: 'STOCKTAKE_LOSS', name: '盘亏', direction: 'DECREASE', usages: ['STOCKTAKE'] },
  { code: 'DAMAGED', name: '破损', direction: 'DECREASE', usages: ['STOCKTAKE', 'SCRAP', 'TRANSFER'] },
  { code: 'MOULDY', name: '霉变', direction: 'DECREASE', usages: ['STOCKTAKE', 'SCRAP'] },
  { code: 'EXPIRED', name: '过期', direction: 'DECREASE', usages: ['STOCKTAKE', 'SCRAP'] },
  { code: 'LOST', name: '丢失', direction: 'DECREASE', usages: ['STOCKTAKE', 'TRANSFER'] },
  { code: 'PEST_DAMAGE', name: '虫蛀鼠咬', direction: 'DECREASE', usages: ['STOCKTAKE', 'SCRAP'] },
  { code: 'OBSOLETE', name: '技术淘汰', direction: 'DECREASE', usages: ['SCRAP'] },
  { code: 'TRANSIT_LOSS', name: '运输损耗', direction: 'DECREASE', usages: ['TRANSFER'] },
  { code: 'SHORT_SHIPPED', name: '发货短少', direction: 'DECREASE', usages: ['TRANSFER'] },
  { code: 'RECORDING_ERROR', name: '记录差错', direction: 'INCREASE', usages: ['STOCKTAKE'] },
  { code: 'RELIEF', name: '救灾发放', direction: 'DECREASE', usages: ['ISSUE'] },
  { code: 'EMERGENCY_RESPONSE', name: '应急处置使用', direction: 'DECREASE', usages: ['ISSUE'] },
  { code: 'DRILL', name: '应急演练', direction: 'DECREASE', usages: ['ISSUE'] },
  { code: 'LOAN', name: '借用', direction: 'DECREASE', usages: ['ISSUE'] },
  { code: 'ROTATION_OUT', name: '轮换出库', direction: 'DECREASE', usages: ['ROTATION'] },
  { code: 'OTHER_ISSUE', name: '其他出库', direction: 'DECREASE', usages: ['ISSUE'] },
];

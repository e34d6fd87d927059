import { sql } from 'drizzle-orm';
import { queryRows } from '../../drizzle/client.ts';
import { todayInChina, chinaText, inYearRange, yearOutOfRange } from '../clock.ts';
import type { ServiceContext } from '../context.ts';
import { isDomainError } from '../errors.ts';
import { batchNoSchema, LINE_QUANTITY_MAX, storeForPosting } from '../inventory/common.ts';
import { assertMadeBy, assertNotExpiredOnReceipt, expiryOfNewBatch } from '../inventory/expiry.ts';
import { receiveStock } from '../inventory/receipts.ts';
import { ownersAllowedAt } from '../inventory/owners.ts';
import { parseMoney, toFen } from '../money.ts';
import { FUNDING_NAMES } from './names.ts';
import { alreadyOpened, existingBatchConflicts, openingKey, type OpeningLine, type SheetBatch } from './opening-batches.ts';
import { type Column, type Report } from './report.ts';
import { RowErrors } from './row-errors.ts';
import {
  dayOf,
  headingsNear,
  integerOf,
  isUncomputedFormula,
  misgroupedNumber,
  moneyOf,
  normalHeading,
  readUploadSheet,
  rowsBelow,
  textOf,
  uncomputedFormula,
  type Cell,
  type SheetRow,
} from './sheet-reader.ts';
import { titleBlock } from './title.ts';
import { importResult, type ImportResult, type UploadedFile } from './upload.ts';

// 期初建账: a store's existing 台账 from Excel as one opening-balance receipt (D7) through receiveStock. Items by code, or
// by name and spec; batch number, production and expiry dates, quantity, unit price, funding source and owner per row.

const H = {
  itemCode: '物资编码',
  itemName: '物资名称',
  spec: '规格',
  batchNo: '批号',
  productionDate: '生产日期',
  expiryDate: '有效期至',
  quantity: '数量',
  unitPrice: '单价（元）',
  funding: '资金来源',
  owner: '产权单位',
} as const;
const REQUIRED = [H.batchNo, H.quantity, H.unitPrice];
/** The template's one sheet, the one the upload reads (readUploadSheet). */
const SHEET = '期初建账';
/** What each column takes, for the refusal of a formula without its value (the others take text). */
const TAKES: Partial<Record<string, 'number' | 'date'>> = {
  [H.productionDate]: 'date',
  [H.expiryDate]: 'date',
  [H.quantity]: 'number',
  [H.unitPrice]: 'number',
};

/** The empty sheet a keeper fills in (also what the upload reads). */
export async function openingBalanceTemplate(ctx: ServiceContext): Promise<Report> {
  const columns: Column[] = [
    { header: H.itemCode, key: 'itemCode', width: 12, kind: 'text', input: {} },
    { header: H.itemName, key: 'itemName', width: 16, kind: 'text', input: {} },
    { header: H.spec, key: 'spec', width: 20, kind: 'text', input: {} },
    { header: H.batchNo, key: 'batchNo', width: 16, kind: 'text', input: {} },
    { header: H.productionDate, key: 'productionDate', width: 12, kind: 'date', input: {} },
    { header: H.expiryDate, key: 'expiryDate', width: 12, kind: 'date', input: {} },
    { header: H.quantity, key: 'quantity', width: 10, kind: 'int', input: {} },
    { header: H.unitPrice, key: 'unitPrice', width: 12, kind: 'money', input: {} },
    { header: H.funding, key: 'funding', width: 12, kind: 'text', input: { choices: Object.values(FUNDING_NAMES) } },
    { header: H.owner, key: 'owner', width: 24, kind: 'text', input: {} },
  ];
  const title = await titleBlock(ctx);
  return {
    ...title,
    fileName: 'opening-balance-template',
    title: '期初库存导入表',
    sheetName: SHEET,
    period: `建账日期 ${chinaText(title.preparedAt, 'yyyy-LL-dd')}`,
    columns,
    rows: [],
  };
}

/**
 * The refusal of a sheet without the template's header: the columns missing from the row meant as its header (the one
 * holding most of them), not every column the upload reads (sweep 25b F1: the keeper's own stock list, which has 批号,
 * 单价（元） and 物资编码, was told all of them were missing). A stock list's 在库 or a 盘点表's 账面数 is not read as 数量:
 * said so where it stands in place of 数量.
 */
function missingColumns(rows: readonly SheetRow[]): string {
  const held = headingsNear([...rows], [...REQUIRED, H.itemCode, H.itemName]);
  const missing: string[] = REQUIRED.filter((h) => !held.has(normalHeading(h)));
  if (!held.has(normalHeading(H.itemCode)) && !held.has(normalHeading(H.itemName))) missing.push(`${H.itemCode}」或「${H.itemName}`);
  const stands = ['在库', '账面数', '实盘数'].filter((h) => held.has(h));
  const note =
    missing.includes(H.quantity) && stands.length
      ? `。「${stands.join('」「')}」列不作为期初数量读取：请在「${H.quantity}」列填写期初数量（可下载期初建账模板）`
      : '（请使用本系统下载的期初建账模板）';
  return `缺少列：「${missing.join('」、「')}」${note}`;
}

const FUNDING_BY_NAME = new Map<string, string>([
  ...Object.entries(FUNDING_NAMES).flatMap(([code, name]): [string, string][] => [
    [code, code],
    [name, code],
    [name.replace(/资金$/, ''), code],
  ]),
  ['中央', 'CENTRAL'],
  ['省级', 'PROVINCE'],
  ['市级', 'CITY'],
  ['县级', 'COUNTY'],
  ['乡级', 'TOWNSHIP'],
]);

type ItemRef = {
  id: string;
  code: string;
  name: string;
  spec: string | null;
  storage_life_months: number | null;
};

export async function importOpeningBalance(ctx: ServiceContext, storeId: string, file: UploadedFile): Promise<ImportResult> {
  const store = await storeForPosting(ctx.db, ctx.actor, storeId, 'storeId');
  const { rows, found } = await readUploadSheet(file.content, file.name, { sheetName: SHEET, headings: REQUIRED });
  const errors = new RowErrors();
  if (!found || (!found.columns.has(normalHeading(H.itemCode)) && !found.columns.has(normalHeading(H.itemName)))) {
    errors.add(0, '', missingColumns(rows));
    errors.throwIfAny();
  }
  const { header, columns } = found!;
  const cell = (r: { cells: Cell[] }, h: string): Cell => {
    const at = columns.get(normalHeading(h));
    return at === undefined ? null : (r.cells[at] ?? null);
  };
  const [items, owners] = await Promise.all([
    queryRows<ItemRef>(ctx.db, sql`SELECT id::text, code, name, spec, storage_life_months FROM items`),
    ownersAllowedAt(ctx.db, store),
  ]);
  // D5: a code names one item whatever its case (items_code_upper_uq): `liv-001` typed in a sheet finds LIV-001.
  const byCode = new Map(items.map((i) => [i.code.toUpperCase(), i]));
  const today = todayInChina(ctx.clock);
  const seen = new Map<string, number>();
  const lines: OpeningLine[] = [];
  /** Every row's batch that can be checked against the ledger, whatever else is wrong in the row (README, L1). */
  const batches: SheetBatch[] = [];

  for (const r of rowsBelow(rows, header)) {
    const at = errors.list.length;
    // A formula saved without its value: the cell is named as such, and nothing else is said of it.
    const formulas = Object.values(H).filter((h) => isUncomputedFormula(cell(r, h)));
    for (const h of formulas) errors.settle(r.row, h, uncomputedFormula(h, TAKES[h] ?? 'text'));
    const code = textOf(cell(r, H.itemCode));
    const name = textOf(cell(r, H.itemName));
    const spec = textOf(cell(r, H.spec));
    let item: ItemRef | undefined;
    // An item cell holding a formula without its value is named above: the item is not known.
    if (formulas.some((h) => h === H.itemCode || h === H.itemName || h === H.spec)) item = undefined;
    else if (code) {
      item = byCode.get(code.toUpperCase());
      if (!item) errors.add(r.row, H.itemCode, `未知物资编码：${code}`);
      else {
        // D5 (sweep 25b F5): a row naming its item twice — by code and by name (and spec) — names one item, or it is
        // refused naming both: a mistyped code beside the right name booked the code's item, its unit and the row's
        // price under it, the name and spec written dropped without a word.
        const disagreement = codeAgainstName(item, name, spec, items);
        if (disagreement) {
          errors.add(r.row, H.itemCode, disagreement);
          item = undefined;
        }
      }
    } else if (name) {
      const named = items.filter((i) => i.name === name && (spec === null || i.spec === spec));
      if (named.length === 1) item = named[0];
      else if (!named.length) errors.add(r.row, H.itemName, `未找到物资「${name}${spec ? `（${spec}）` : ''}」`);
      // Two items of the same name and spec (from before createItem refused them, D5): only the code tells them apart.
      else if (spec !== null)
        errors.add(r.row, H.itemCode, `「${name}」（${spec}）有 ${named.length} 种同名同规格的物资（${named.map((i) => i.code).join('、')}），请填写物资编码`);
      else errors.add(r.row, H.spec, `「${name}」有 ${named.length} 种规格，请填写规格或物资编码`);
    } else errors.add(r.row, H.itemName, '须填写物资编码或物资名称');

    // The batch number as the ledger reads it (batchNoSchema: full-width folded, invisible characters dropped).
    const batch = batchNoSchema.safeParse(textOf(cell(r, H.batchNo)) ?? '');
    const batchNo = batch.success ? batch.data : null;
    if (!batch.success) errors.add(r.row, H.batchNo, batch.error.issues[0].code === 'too_big' ? '批号不超过 64 个字符' : '批号不能为空');
    else if (item) {
      const key = `${item.id}|${batchNo}`;
      if (seen.has(key)) errors.add(r.row, H.batchNo, `与第 ${seen.get(key)} 行是同一物资的同一批号`);
      seen.set(key, r.row);
    }

    const production = dayInRange(r.row, H.productionDate, dayOf(cell(r, H.productionDate)), errors);
    const expiry = dayInRange(r.row, H.expiryDate, dayOf(cell(r, H.expiryDate)), errors);
    if (production === undefined) errors.add(r.row, H.productionDate, '日期格式错误（应为日期，如 2026-04-10）');
    else errors.check(r.row, H.productionDate, () => assertMadeBy(production, { day: today, today }, { field: '', dayLabel: '入库日期', whose: '' }));
    if (expiry === undefined) errors.add(r.row, H.expiryDate, '日期格式错误（应为日期，如 2026-04-10）');
    else if (production !== undefined) {
      // D7, D26: the expiry receiveStock will record — the one written, else production date + storage life — is
      // checked here by the same rules, so a row it would refuse is named by its Excel row.
      const life = item?.storage_life_months ?? null;
      const computed = !expiry && life ? `。有效期未填，按${production ? `生产日期 ${production} ` : '入库日期'}加保质期 ${life} 个月推算` : '';
      errors.check(
        r.row,
        H.expiryDate,
        () => assertNotExpiredOnReceipt(expiryOfNewBatch({ productionDate: production, expiryDate: expiry, storageLifeMonths: life }, today, ''), today, ''),
        computed,
      );
    }

    // Sweep 25b F2: a comma that groups no thousands ("1,00") is named as such, not read with the comma dropped (100).
    const quantityGrouping = misgroupedNumber(cell(r, H.quantity));
    const quantity = integerOf(cell(r, H.quantity));
    if (quantityGrouping) errors.add(r.row, H.quantity, quantityGrouping);
    else if (!quantity || quantity < 1) errors.add(r.row, H.quantity, '数量须为大于 0 的整数');
    // The limit named, as receiveStock names it (quantitySchema; sweep 18c F5).
    else if (quantity > LINE_QUANTITY_MAX) errors.add(r.row, H.quantity, `数量过大：每行最多 ${LINE_QUANTITY_MAX.toLocaleString('en-US')}`);
    // The price as the cell shows it (moneyOf: never rounded to two places), then by the API's own rule (parseMoney: a
    // price too large is named with every other bad cell, not only once receiveStock is reached; sweep 18c F5).
    const priceGrouping = misgroupedNumber(cell(r, H.unitPrice));
    const shownPrice = moneyOf(cell(r, H.unitPrice));
    const unitPrice = shownPrice ? errors.check(r.row, H.unitPrice, () => parseMoney(shownPrice, '')) : undefined;
    const priceOk = !!unitPrice && toFen(unitPrice) >= 0n;
    if (priceGrouping) errors.add(r.row, H.unitPrice, priceGrouping);
    else if (!priceOk && (!shownPrice || unitPrice)) errors.add(r.row, H.unitPrice, '单价须为不小于 0 的金额，最多两位小数');
    if (item && batchNo !== null) {
      batches.push({
        row: r.row,
        itemId: item.id,
        batchNo,
        productionDate: production ?? null,
        expiryDate: expiry ?? null,
        unitPrice: priceOk ? unitPrice : null,
      });
    }

    const fundingText = textOf(cell(r, H.funding));
    const funding = fundingText === null ? null : FUNDING_BY_NAME.get(fundingText);
    if (funding === undefined) errors.add(r.row, H.funding, `资金来源应为：${Object.values(FUNDING_NAMES).join('、')}`);
    // D3: the owner is one the store may record (ownersAllowedAt, as receiveStock checks), named as registered.
    const ownerName = textOf(cell(r, H.owner));
    const ownerOrgId = ownerName === null ? null : owners.byName.get(ownerName);
    if (ownerOrgId === undefined) errors.add(r.row, H.owner, `「${ownerName}」不能作产权单位：${owners.refusal}`);
    else if (ownerOrgId === null && ownerName !== null) errors.add(r.row, H.owner, `未登记的产权单位「${ownerName}」`);

    if (errors.list.length > at) continue;
    lines.push({
      row: r.row,
      line: {
        itemId: item!.id,
        quantity,
        batchNo: batchNo!,
        productionDate: production ?? null,
        expiryDate: expiry ?? null,
        unitPrice: unitPrice!,
        fundingSource: funding,
        ownerOrgId,
      },
    });
  }
  if (!lines.length && !errors.list.length) errors.add(0, '', '文件中没有数据行');
  const idempotencyKey = await openingKey(ctx, store.id, file, lines);
  // README: the whole file is checked first — every row whose batch can be read is checked against the ledger, also
  // beside bad cells elsewhere, and all is named in one answer. A file with bad cells is no request that posted: no
  // earlier receipt is its own.
  const opened = await alreadyOpened(ctx, store.id, errors.list.length ? null : idempotencyKey, batches, errors, H);
  await existingBatchConflicts(
    ctx,
    batches.filter((b) => !opened.has(b.row)),
    errors,
    H,
  );
  errors.throwIfAny();
  const posted = await receiveStock(ctx, {
    storeId: store.id,
    source: 'OTHER',
    reference: '期初建账',
    note: '期初建账（Excel 导入）',
    idempotencyKey,
    lines: lines.map((l) => l.line),
  }).catch((error: unknown) => {
    throw asRowError(error, lines, columns.has(normalHeading(H.itemCode)) ? H.itemCode : H.itemName);
  });
  return importResult(ctx.db, posted, lines.length);
}

/** An item as a row names it: 「棉被」（200cm×150cm …）, its spec in brackets where it has one. */
const itemText = (i: { name: string; spec: string | null }) => `「${i.name}」${i.spec ? `（${i.spec}）` : ''}`;

/**
 * Whether a row's 物资名称 and 规格, where written beside its 物资编码, name the code's item (compared as written, as a row
 * without a code finds its item by them): null when they do (or are left empty), else the refusal (at 物资编码, what the
 * row would be booked under), naming the code's item and the item the name and spec name, if any.
 */
function codeAgainstName(item: ItemRef, name: string | null, spec: string | null, items: readonly ItemRef[]): string | null {
  const nameDiffers = name !== null && name !== item.name;
  const specDiffers = spec !== null && spec !== item.spec;
  if (!nameDiffers && !specDiffers) return null;
  const named = items.filter((i) => i.name === (name ?? item.name) && (spec === null || i.spec === spec));
  const written = nameDiffers ? `物资名称「${name}」${spec !== null ? `、规格「${spec}」` : ''}` : `规格「${spec}」`;
  const other = named.length ? `（${named.map((i) => `${i.code} 是${itemText(i)}`).join('；')}）` : '（目录中没有这样的物资）';
  return `物资编码 ${item.code} 是${itemText(item)}，与本行${written}不符${other}：请核对物资编码和${nameDiffers ? '物资名称' : '规格'}`;
}

/**
 * A date cell's day, in the years the API's Date takes (YEARS): one outside them is refused at its cell, as receiveStock
 * through GraphQL refuses it (sweep 18c F7) — that cell's one error (settled), the day unread (undefined).
 */
function dayInRange(row: number, column: string, day: string | null | undefined, errors: RowErrors): string | null | undefined {
  if (!day || inYearRange(Number(day.slice(0, 4)))) return day;
  errors.settle(row, column, yearOutOfRange('日期', day));
  return undefined;
}

/** receiveStock's input fields, by the column each comes from. */
const COLUMN_OF_FIELD: Record<string, string> = {
  quantity: H.quantity,
  batchNo: H.batchNo,
  productionDate: H.productionDate,
  expiryDate: H.expiryDate,
  unitPrice: H.unitPrice,
  fundingSource: H.funding,
  ownerOrgId: H.owner,
};

/**
 * The upload's contract (row, column, what is wrong): a refusal receiveStock makes at one of its input lines
 * (input.lines.N.field) is named by the Excel row that line came from, in the import's own error list. Others pass.
 */
function asRowError(error: unknown, lines: readonly OpeningLine[], itemColumn: string): unknown {
  if (!isDomainError(error) || error.code !== 'BAD_USER_INPUT') return error;
  const m = /^input\.lines\.(\d+)(?:\.(\w+))?/.exec(String(error.details.field ?? ''));
  const line = m ? lines[Number(m[1])] : undefined;
  if (!line) return error;
  // The message is receiveStock's, which numbers its lines from 1 (「第 1 行数量 × 单价…」): in the upload the row is the
  // sheet's, named before it — the line's own number is said as 本行 (sweep 25b F6: two numberings in one message).
  const message = error.message.replace(/^input\.lines\.[\w.]+：/, '').replace(new RegExp(`^第 ${Number(m![1]) + 1} 行`), '本行');
  const errors = new RowErrors();
  errors.add(line.row, m![2] === 'itemId' ? itemColumn : (COLUMN_OF_FIELD[m![2]] ?? ''), message);
  return errors.asError();
}

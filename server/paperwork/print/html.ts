import escapeHtml from 'escape-html';
import QRCode from 'qrcode';
import type { Printable, PrintableSection } from './printable.ts';

// A print-ready A4 page: self-contained (styles inline, the QR code as inline SVG, no request leaves the page), in the
// system's CJK fonts, landscape when the table is wide. Print with the browser's 打印 (Ctrl+P).

const e = (v: unknown) => escapeHtml(v === null || v === undefined ? '' : String(v));

const cellOf = (numeric: ReadonlySet<number>) => (v: unknown, i: number) => `<td${numeric.has(i) ? ' class="n"' : ''}>${e(v)}</td>`;

function sectionHtml(s: PrintableSection): string {
  const cell = cellOf(new Set(s.numeric));
  return `<section class="extra"><h2>${e(s.title)}</h2>
<table>
<thead><tr>${s.headings.map((h) => `<th>${e(h)}</th>`).join('')}</tr></thead>
<tbody>
${s.lines.map((l) => `<tr>${l.cells.map(cell).join('')}</tr>`).join('\n')}
</tbody>
</table></section>`;
}

export async function renderPrintable(p: Printable): Promise<string> {
  const qr = await QRCode.toString(p.number, { type: 'svg', margin: 0, errorCorrectionLevel: 'M', width: 96 });
  const landscape = p.headings.length > 10;
  const cell = cellOf(new Set(p.numeric));
  const footRow = (label: string, quantity: number, amount: string) =>
    p.headings.map((_, i) => {
      if (i === 0) return `<td class="n">${e(label)}</td>`;
      if (p.headings[i] === '数量' || p.headings[i] === '盈亏数') return `<td class="n">${quantity}</td>`;
      if (p.headings[i] === '金额（元）') return `<td class="n">${e(amount)}</td>`;
      return '<td></td>';
    });
  // A two-way document (a rotation, D10) totals each side; its net is the 价值变动, not a 合计 (printable.ts).
  const footRows = p.sides ? p.sides.map((x) => footRow(x.label, x.quantity, x.amount)) : [footRow('合计', p.totalQuantity, p.total)];
  const words = p.sides
    ? [
        ...p.sides.map(
          (x) =>
            `<p class="words">${e(x.label)}金额（大写）：<strong class="amount-in-words">${e(x.inWords)}</strong>&#12288;（小写）：￥<strong class="amount">${e(x.amount)}</strong></p>`,
        ),
        `<p class="words">${e(p.netLabel)}：￥<strong class="net">${e(p.total)}</strong>（${e(p.totalInWords)}）</p>`,
      ].join('\n')
    : `<p class="words">合计金额（大写）：<strong class="amount-in-words">${e(p.totalInWords)}</strong>&#12288;（小写）：￥<strong class="amount">${e(p.total)}</strong></p>`;
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>${e(p.title)} ${e(p.number)}</title>
<style>
  @page { size: A4 ${landscape ? 'landscape' : 'portrait'}; margin: 12mm; }
  body { font-family: "Noto Serif CJK SC", "Source Han Serif SC", "SimSun", "Songti SC", serif; font-size: 10.5pt; color: #000; margin: 0; }
  header { display: flex; justify-content: space-between; align-items: flex-start; }
  h1 { font-size: 20pt; letter-spacing: 0.3em; text-align: center; margin: 0 0 4mm; }
  .bureau { font-size: 12pt; }
  .meta { margin: 2mm 0; display: flex; gap: 8mm; flex-wrap: wrap; }
  dl.facts { display: grid; grid-template-columns: max-content 1fr max-content 1fr; gap: 1mm 4mm; margin: 2mm 0 3mm; }
  dl.facts dt { font-weight: bold; } dl.facts dd { margin: 0; }
  table { width: 100%; border-collapse: collapse; }
  th, td { border: 0.3mm solid #000; padding: 1mm 1.5mm; vertical-align: top; }
  th { background: #eee; } thead { display: table-header-group; } tr { page-break-inside: avoid; }
  td.n { text-align: right; white-space: nowrap; }
  tfoot td { font-weight: bold; }
  .words { margin: 3mm 0; font-size: 11pt; }
  section.extra h2 { font-size: 12pt; margin: 4mm 0 2mm; }
  .signatures { display: grid; grid-template-columns: repeat(${p.signatures.length}, 1fr); gap: 6mm; margin-top: 10mm; }
  .signatures div { border-top: 0.3mm solid #000; padding-top: 1mm; }
  .signatures span { display: block; margin-top: 6mm; }
  footer { margin-top: 6mm; font-size: 9pt; color: #444; }
  .qr svg { width: 24mm; height: 24mm; }
  @media screen { body { max-width: ${landscape ? '277mm' : '190mm'}; margin: 10mm auto; } }
</style>
</head>
<body>
<header>
  <div>
    <div class="bureau">${e(p.bureau)}</div>
    <div class="meta"><span>编号：<strong class="number">${e(p.number)}</strong></span><span>日期：${e(p.date)}</span></div>
  </div>
  <div class="qr" title="${e(p.number)}">${qr}</div>
</header>
<h1>${e(p.title)}</h1>
<dl class="facts">${p.facts.map(([k, v]) => `<dt>${e(k)}</dt><dd>${e(v)}</dd>`).join('')}</dl>
<table>
<thead><tr>${p.headings.map((h) => `<th>${e(h)}</th>`).join('')}</tr></thead>
<tbody>
${p.lines.map((l) => `<tr>${l.cells.map(cell).join('')}</tr>`).join('\n')}
</tbody>
<tfoot>${footRows.map((r) => `<tr>${r.join('')}</tr>`).join('')}</tfoot>
</table>
${words}
${(p.sections ?? []).map(sectionHtml).join('\n')}
<section class="signatures">${p.signatures.map((s) => `<div>${e(s)}（签字）<span>年&#12288;&#12288;月&#12288;&#12288;日</span></div>`).join('')}</section>
<footer>${e(p.recorded)}</footer>
</body>
</html>
`;
}

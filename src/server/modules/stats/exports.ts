/** Exports: a report as Excel and as a printable A4 PDF (pdfkit, CJK font PDF_FONT, as the printed voucher); dashboard tables as Excel. */
import fs from 'node:fs';
import { DomainError } from '../../../domain/errors';
import { formatYuan } from '../../../domain/money';
import type { Deps } from '../../deps';
import { newWorkbook, writeXlsx } from '../../platform/excel';
import type { reportView } from './reports';

type View = Awaited<ReturnType<typeof reportView>>;
const pct = (bp: number) => `${(bp / 100).toFixed(1)}%`;

/** The report as rows: group, indicator, value; then the narrative parts. */
export function reportRows(v: View): [string, string, string][] {
  const f = v.figures;
  return [
    ['组织管理', '申报 50 万元及以上仪器（台套）', String(f.organization.declared)],
    ['组织管理', '其中已入网（台套）', String(f.organization.listedAbove)],
    ['组织管理', '科研仪器开放率', pct(f.organization.openRateBp)],
    ['组织管理', '入网仪器（台套）', String(f.organization.instruments)],
    ['运行使用', '运行机时（小时）', String(f.operation.runHours)],
    ['运行使用', '有效工作机时（小时）', String(f.operation.effectiveHours)],
    ['运行使用', '平均有效工作机时（小时/台）', String(f.operation.avgEffectiveHours)],
    ['运行使用', '定额机时（小时）', String(f.operation.quotaHours)],
    ['运行使用', '定额机时使用率', pct(f.operation.quotaUseBp)],
    ['运行使用', '有监测终端的仪器（台套）', String(f.operation.measuredInstruments)],
    ['共享服务', '对外服务机时（小时）', String(f.sharing.externalHours)],
    ['共享服务', '平均对外服务机时（小时/台）', String(f.sharing.avgExternalHours)],
    ['共享服务', '共享率', pct(f.sharing.shareRateBp)],
    ['共享服务', '服务次数', String(f.sharing.services)],
    ['共享服务', '对外服务次数', String(f.sharing.externalServices)],
    ['共享服务', '服务单位数', String(f.sharing.servedOrgs)],
    ['共享服务', '服务收入', formatYuan(f.sharing.incomeFen)],
    ['共享服务', '对外服务收入', formatYuan(f.sharing.externalIncomeFen)],
    ['共享服务', '平均评价（星）', (f.sharing.avgRatingCenti / 100).toFixed(2)],
    ['说明', '实验技术队伍建设', v.team ?? ''],
    ['说明', '统筹管理与在线服务平台建设', v.management ?? ''],
    ['说明', '运行使用及服务成效', v.outcomes ?? ''],
  ];
}

export async function reportXlsx(v: View) {
  const wb = await newWorkbook();
  const ws = wb.addWorksheet('评价报告');
  ws.columns = [
    { header: '指标组', width: 12 },
    { header: '指标', width: 32 },
    { header: '数值', width: 60 },
  ];
  ws.addRow([`${v.year} 年度开放共享评价报告`, v.orgName, v.stateLabel + (v.gradeLabel ? ` · ${v.gradeLabel}` : '')]);
  for (const r of reportRows(v)) ws.addRow(r);
  ws.getRow(1).font = { bold: true };
  return { name: `开放共享评价报告-${v.year}-${v.orgName}.xlsx`, data: await writeXlsx(wb) };
}

export async function reportPdf(deps: Deps, v: View): Promise<{ name: string; data: Buffer }> {
  if (!fs.existsSync(deps.config.PDF_FONT))
    throw new DomainError(
      503,
      'PDF_FONT_MISSING',
      '服务器缺少中文字体，暂不能打印（请安装 fonts-noto-cjk 或设置 PDF_FONT）',
    );
  // pdfkit is loaded with the first report printed, not at start (memory)
  const { default: PDFDocument } = await import('pdfkit');
  const doc = new PDFDocument({
    size: 'A4',
    margin: 56,
    info: { Title: `${v.year} 年度开放共享评价报告 ${v.orgName}`, Author: deps.config.SITE_NAME },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve) => doc.on('end', () => resolve()));
  doc.registerFont(
    'cjk',
    deps.config.PDF_FONT,
    deps.config.PDF_FONT.endsWith('.ttc') ? deps.config.PDF_FONT_NAME : undefined,
  );
  doc.font('cjk');
  doc.fillColor('#0b3d91').fontSize(18).text(`${v.year} 年度大型科研仪器开放共享评价报告`, { align: 'center' });
  doc.moveDown(0.4).fillColor('#000').fontSize(12).text(`单位：${v.orgName}（${v.cityName}）`, { align: 'center' });
  doc
    .moveDown(0.2)
    .fontSize(10)
    .fillColor('#555')
    .text(
      `状态：${v.stateLabel}${v.gradeLabel ? `  评级：${v.gradeLabel}` : ''}  数据截至：${v.figuresAt.slice(0, 10)}`,
      {
        align: 'center',
      },
    );
  doc.moveDown(1).fillColor('#000');
  let group = '';
  for (const [g, label, value] of reportRows(v)) {
    if (g !== group) {
      group = g;
      doc.moveDown(0.5).fontSize(13).fillColor('#0b3d91').text(g).fillColor('#000').fontSize(10.5);
    }
    doc.text(g === '说明' ? `${label}：` : `${label}：${value}`);
    if (g === '说明')
      doc
        .fillColor('#333')
        .text(value || '—', { indent: 16 })
        .fillColor('#000');
  }
  if (v.gradeComment) doc.moveDown(0.5).text(`评语：${v.gradeComment}`);
  doc.end();
  await done;
  return { name: `开放共享评价报告-${v.year}-${v.orgName}.pdf`, data: Buffer.concat(chunks) };
}

/** One table of a dashboard (or all of them) as a workbook: the table view of each chart. */
export async function tablesXlsx(tables: Record<string, { title: string; columns: string[]; rows: unknown[][] }>) {
  const wb = await newWorkbook();
  for (const t of Object.values(tables)) {
    const ws = wb.addWorksheet(t.title.slice(0, 31));
    ws.addRow(t.columns).font = { bold: true };
    for (const r of t.rows) ws.addRow(r);
    ws.columns.forEach((c) => (c.width = 16));
  }
  return writeXlsx(wb);
}

/** The NRII feed as a workbook: one sheet per record set, NRII's field names in the first row, labels in the second. */
import { newWorkbook, writeXlsx } from '../../platform/excel';
import { EFFECT_FIELDS, INSTRUMENT_FIELDS, SERVICE_FIELDS, type nriiFeed } from './nrii';

type Feed = Awaited<ReturnType<typeof nriiFeed>>;

export async function nriiXlsx(feed: Feed) {
  const wb = await newWorkbook();
  const sheet = (title: string, fields: { nrii: string; label: string }[], rows: Record<string, unknown>[]) => {
    const ws = wb.addWorksheet(title);
    ws.addRow(fields.map((f) => f.nrii)).font = { bold: true };
    ws.addRow(fields.map((f) => f.label));
    for (const r of rows) ws.addRow(fields.map((f) => r[f.nrii] ?? ''));
    ws.columns.forEach((c) => (c.width = 18));
  };
  sheet('仪器信息', INSTRUMENT_FIELDS, feed.instruments);
  sheet('服务记录', SERVICE_FIELDS, feed.services);
  sheet('年度成效', EFFECT_FIELDS, [feed.effect]);
  return writeXlsx(wb);
}

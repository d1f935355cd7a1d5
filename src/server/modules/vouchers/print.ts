/** 打印创新券: an A4 PDF in Chinese with a QR code of the public verification page; and that page's data. */
import fs from 'node:fs';
import { DomainError } from '../../../domain/errors';
import { formatYuan } from '../../../domain/money';
import { CLAIM_STATE_LABEL, VOUCHER_KIND_LABEL } from '../../../domain/voucher';
import type { Db } from '../../db/connect';
import type { Deps } from '../../deps';
import type { Actor } from '../../http/actor';
import { detail, stateOf } from './claims';

const cst = (iso: string | null) =>
  iso ? new Date(new Date(iso).getTime() + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ') : '—';

/** The claim as a PDF: number, parties, instruments and service, fee and subsidies, state and dates, QR code. */
export async function printClaim(deps: Deps, actor: Actor, id: string): Promise<{ name: string; data: Buffer }> {
  const d = await detail(deps, actor, id);
  if (!fs.existsSync(deps.config.PDF_FONT))
    throw new DomainError(
      503,
      'PDF_FONT_MISSING',
      '服务器缺少中文字体，暂不能打印（请安装 fonts-noto-cjk 或设置 PDF_FONT）',
    );
  const { db } = deps.database;
  const booking = await db
    .selectFrom('bookings')
    .select(['purpose', 'completedAt', 'projectName'])
    .where('id', '=', d.bookingId)
    .executeTakeFirstOrThrow();
  const parts = await db
    .selectFrom('voucherClaims')
    .select(['kind', 'amountFen', 'isReleased'])
    .where('bookingId', '=', d.bookingId)
    .execute();
  const part = (k: 'provincial' | 'municipal') =>
    parts.filter((p) => p.kind === k && !p.isReleased).reduce((s, p) => s + Number(p.amountFen), 0);
  // pdfkit and qrcode are loaded when the first voucher is printed, not at start (memory)
  const [{ default: PDFDocument }, { default: QRCode }] = await Promise.all([import('pdfkit'), import('qrcode')]);
  const qr = await QRCode.toBuffer(d.verifyUrl, { errorCorrectionLevel: 'M', margin: 1, width: 240 });

  const doc = new PDFDocument({
    size: 'A4',
    margin: 56,
    info: { Title: `${d.kindLabel} ${d.no}`, Author: deps.config.SITE_NAME },
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

  const width = doc.page.width - 112;
  doc.fillColor('#0b3d91').fontSize(20).text(`山东省科技创新券 · ${d.kindLabel}`, { align: 'center' });
  doc.moveDown(0.3).fillColor('#555').fontSize(10).text(deps.config.SITE_NAME, { align: 'center' });
  doc.moveDown(1).fillColor('#000');
  doc.image(qr, doc.page.width - 56 - 110, 130, { width: 110 });
  doc
    .fontSize(9)
    .fillColor('#555')
    .text('扫码验证真伪', doc.page.width - 56 - 110, 244, { width: 110, align: 'center' });
  doc.fillColor('#000');

  const row = (label: string, value: string) => {
    doc
      .fontSize(11)
      .fillColor('#555')
      .text(label, 56, doc.y, { continued: true, width: width - 130 })
      .fillColor('#000')
      .text(`\u3000${value}`);
    doc.moveDown(0.35);
  };
  doc.y = 130;
  row('兑付申请编号', d.no);
  row('当前状态', `${d.stateLabel}（${d.stage}）`);
  row('委托方（企业）', d.consumerName);
  row('受托方（服务机构）', d.providerName);
  row('预约单号', d.bookingNo);
  doc.moveDown(0.6);
  doc.fontSize(13).fillColor('#0b3d91').text('服务内容', 56).fillColor('#000').moveDown(0.3);
  row('仪器', d.instruments.join('、'));
  row('检测用途', booking.purpose ?? '—');
  if (booking.projectName) row('所属项目', booking.projectName);
  doc.moveDown(0.6);
  doc.fontSize(13).fillColor('#0b3d91').text('费用与补贴', 56).fillColor('#000').moveDown(0.3);
  row('服务费用', formatYuan(d.feeFen));
  row('省级创新券补贴', formatYuan(part('provincial')));
  row('市级创新券补贴', formatYuan(part('municipal')));
  row('企业自付金额', formatYuan(d.selfPayFen));
  row('本券补贴比例', `${(d.rateBp / 100).toFixed(2)}%（${d.year} 年度政策，自 ${d.policyEffectiveFrom} 起执行）`);
  doc.moveDown(0.6);
  doc.fontSize(13).fillColor('#0b3d91').text('日期', 56).fillColor('#000').moveDown(0.3);
  row('结算时间', cst(booking.completedAt));
  row('申请时间', cst(d.createdAt));
  row('审核通过', cst(d.approvedAt));
  row('兑付时间', cst(d.paidAt));
  doc.moveDown(1.2);
  doc.fontSize(9).fillColor('#777').text(`验证地址：${d.verifyUrl}`, 56, doc.y, { width });
  doc.text(`打印时间：${cst(deps.clock.now().toISOString())}。本凭证由平台生成，真伪以验证页面为准。`, { width });
  doc.end();
  await done;
  return { name: `创新券-${d.no}.pdf`, data: Buffer.concat(chunks) };
}

/** /verify/<code>: whether the voucher is genuine, with its public facts only (no bank data, documents or people). */
export async function verify(db: Db, code: string) {
  const r = await db
    .selectFrom('voucherClaims')
    .innerJoin('organizations as c', 'c.id', 'voucherClaims.consumerOrgId')
    .innerJoin('organizations as p', 'p.id', 'voucherClaims.providerOrgId')
    .innerJoin('reviews', 'reviews.id', 'voucherClaims.reviewId')
    .select([
      'voucherClaims.no',
      'voucherClaims.kind',
      'voucherClaims.feeFen',
      'voucherClaims.amountFen',
      'voucherClaims.createdAt',
      'voucherClaims.approvedAt',
      'voucherClaims.paidAt',
      'c.name as consumerName',
      'p.name as providerName',
      'reviews.state as reviewState',
      'reviews.level as reviewLevel',
    ])
    .where('voucherClaims.verifyCode', '=', code)
    .executeTakeFirst();
  if (!r) return { genuine: false, claim: null };
  const state = stateOf(r);
  return {
    genuine: true,
    claim: {
      no: r.no,
      kindLabel: VOUCHER_KIND_LABEL[r.kind],
      consumerName: r.consumerName,
      providerName: r.providerName,
      feeFen: Number(r.feeFen),
      amountFen: Number(r.amountFen),
      stateLabel: CLAIM_STATE_LABEL[state],
      createdAt: r.createdAt,
      approvedAt: r.approvedAt,
      paidAt: r.paidAt,
    },
  };
}

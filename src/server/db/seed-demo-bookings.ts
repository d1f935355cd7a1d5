/**
 * Demo bookings, made on the first start through the real API (app.inject), as the demo accounts would make them:
 * the enterprises 济南华测 and 青岛海泰 book instruments of 山东省分析测试中心, whose admin 王强 (13800000003) then has
 * bookings in every state; the centre's member 李娜 (13800000002) books instruments of 山东大学. One booking of
 * 济南华测 is settled with a provincial voucher, so 我的创新券 and the 济南 bureau's queue are not empty.
 */
import crypto from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Db } from './connect';
import { DEMO_PASSWORD } from './seed-demo';
import { tinyPdf } from '../platform/tiny-pdf';

export class DemoSession {
  private cookies: Record<string, string> = {};
  constructor(private app: FastifyInstance) {}
  async call(method: 'GET' | 'POST' | 'PUT', url: string, body?: unknown, raw?: { payload: Buffer; type: string }) {
    const headers: Record<string, string> = {
      cookie: Object.entries(this.cookies)
        .map(([k, v]) => `${k}=${v}`)
        .join('; '),
    };
    if (method !== 'GET') headers['x-csrf-token'] = this.cookies.csrf ?? '';
    if (raw) headers['content-type'] = raw.type;
    else if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await this.app.inject({
      method,
      url,
      headers,
      payload: raw ? raw.payload : body === undefined ? undefined : JSON.stringify(body),
    });
    for (const c of res.cookies as { name: string; value: string }[]) this.cookies[c.name] = c.value;
    if (res.statusCode >= 400)
      throw new Error(`demo bookings: ${method} ${url} → ${res.statusCode} ${res.body.slice(0, 200)}`);
    return res.json() as { id: string; version: number };
  }
  async login(identifier: string, mode: 'person' | 'legal', password = DEMO_PASSWORD) {
    await this.call('GET', '/api/auth/me');
    await this.call('POST', '/api/auth/login', { identifier, password, mode });
    return this;
  }
  upload(url: string, name: string) {
    const boundary = `----demo${crypto.randomBytes(6).toString('hex')}`;
    const payload = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${encodeURIComponent(name)}"\r\nContent-Type: application/pdf\r\n\r\n`,
      ),
      tinyPdf(name),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    return this.call('POST', url, undefined, { payload, type: `multipart/form-data; boundary=${boundary}` });
  }
}

const day = (offset: number) => new Date(Date.now() + 8 * 3600_000 + offset * 86_400_000).toISOString().slice(0, 10);

function form(instrumentIds: string[], k: number) {
  const samples = [
    ['铝合金试样', '块', '固体'],
    ['锂电池正极材料粉末', '瓶', '粉末'],
    ['污水处理厂出水水样', '瓶', '液体'],
    ['中药提取物', '份', '固体粉末'],
  ][k % 4];
  return {
    instruments: instrumentIds.map((instrumentId, i) => ({
      instrumentId,
      testItems: ['成分定性定量分析', '微区形貌观察', '重金属元素含量测定'][(k + i) % 3],
    })),
    samples: [
      {
        name: samples[0],
        quantity: 2 + (k % 5),
        unit: samples[1],
        form: samples[2],
        hazards: '无',
        disposal: k % 2 ? 'dispose' : 'return',
      },
    ],
    purpose: ['新产品研发中的材料性能验证', '生产工艺改进效果评估', '环保达标自检', '质量标准制定的比对试验'][k % 4],
    expectedFrom: day(2 + k),
    expectedTo: day(12 + k),
    projectName: ['高性能铝合金制备关键技术', '动力电池正极材料国产化', '工业园区废水深度处理', '道地药材质量控制体系'][
      k % 4
    ],
    projectNo: `2026-QY-${String(101 + k)}`,
    projectSource: ['山东省重点研发计划', '企业自筹', '市科技计划项目', '省自然科学基金'][k % 4],
    projectFundingFen: (50 + k * 10) * 1_000_000,
    contactName: '周工',
    contactPhone: '13905310088',
    contactEmail: null,
  };
}

const results = (instrumentIds: string[], version: number, k: number) => ({
  items: instrumentIds.map((instrumentId) => ({
    instrumentId,
    resultText: '样品检测完成，主要结果详见检测报告；数据已复核。',
    machineHours: 1.5 + (k % 3),
    fees: [
      { name: '测试费', quantity: 2 + (k % 3), unit: '样', unitPriceFen: 35_000 },
      { name: '制样费', quantity: 1, unit: '次', unitPriceFen: 10_000 },
    ],
  })),
  otherFeeFen: 0,
  otherFeeNote: null,
  resultNote: null,
  version,
});

type Until = 'draft' | 'submitted' | 'rejected' | 'accepted' | 'awaiting_settlement' | 'completed' | 'rated';

async function drive(
  consumer: DemoSession,
  provider: DemoSession,
  ids: string[],
  k: number,
  until: Until,
  stars = 5,
  voucher = false,
) {
  const { id } = await consumer.call('POST', '/api/bookings', form(ids, k));
  if (until === 'draft') return;
  await consumer.call('POST', `/api/bookings/${id}/submit`, { liabilityAccepted: true });
  if (until === 'submitted') return;
  if (until === 'rejected') {
    await provider.call('POST', `/api/bookings/${id}/decline`, { reason: '该仪器本月已排满，请下月再预约' });
    return;
  }
  await provider.call('POST', `/api/bookings/${id}/accept`, {
    plannedTestDate: day(3 + k),
    comment: '请按约定时间送样',
  });
  if (until === 'accepted') return;
  const { version } = await provider.call('GET', `/api/bookings/${id}`);
  await provider.call('POST', `/api/bookings/${id}/results/submit`, results(ids, version, k));
  if (until === 'awaiting_settlement') return;
  await consumer.upload(`/api/bookings/${id}/files?slot=report`, 'test-report.pdf');
  await consumer.upload(`/api/bookings/${id}/files?slot=invoice`, 'invoice.pdf');
  if (voucher)
    for (const slot of ['contract', 'result_proof', 'relevance_proof'])
      await consumer.upload(`/api/bookings/${id}/files?slot=${slot}`, `${slot}.pdf`);
  await consumer.call(
    'POST',
    `/api/bookings/${id}/settle`,
    voucher ? { voucher: { otherSubsidy: false, provincial: true, municipal: false } } : {},
  );
  if (until === 'completed') return;
  await consumer.call('POST', `/api/bookings/${id}/rating`, {
    stars,
    comment: ['数据准确，出报告及时，老师很专业。', '服务态度好，沟通顺畅。', '整体满意，排队时间略长。'][k % 3],
  });
}

async function bookable(db: Db, orgName: string): Promise<string[]> {
  const rows = await db
    .selectFrom('instruments')
    .innerJoin('organizations', 'organizations.id', 'instruments.orgId')
    .select('instruments.id')
    .where('organizations.name', '=', orgName)
    .where('instruments.state', '=', 'listed')
    .where('instruments.isDisabled', '=', false)
    .orderBy('instruments.createdAt')
    .orderBy('instruments.id')
    .limit(6)
    .execute();
  return rows.map((r) => r.id);
}

export async function seedDemoBookings(app: FastifyInstance, db: Db): Promise<number> {
  const centre = await bookable(db, '山东省分析测试中心');
  const sdu = await bookable(db, '山东大学');
  if (centre.length < 3 || sdu.length < 2) return 0;
  const wang = await new DemoSession(app).login('13800000003', 'person');
  const li = await new DemoSession(app).login('13800000002', 'person');
  const jnhc = await new DemoSession(app).login('jnhc', 'legal');
  const qdht = await new DemoSession(app).login('qdht', 'legal');
  const sduLegal = await new DemoSession(app).login('sdu', 'legal');
  // the second one is settled with a provincial voucher: its claim waits in the 济南 bureau's queue
  const plan: [DemoSession, DemoSession, string[], Until, number?, boolean?][] = [
    [jnhc, wang, [centre[0], centre[1]], 'rated', 5],
    [jnhc, wang, [centre[2]], 'rated', 4, true],
    [qdht, wang, [centre[0]], 'completed'],
    [jnhc, wang, [centre[1]], 'awaiting_settlement'],
    [qdht, wang, [centre[2], centre[0]], 'accepted'],
    [jnhc, wang, [centre[0]], 'submitted'],
    [qdht, wang, [centre[1]], 'submitted'],
    [jnhc, wang, [centre[2]], 'rejected'],
    [li, sduLegal, [sdu[0], sdu[1]], 'completed'],
    [li, sduLegal, [sdu[0]], 'submitted'],
    [li, sduLegal, [sdu[1]], 'draft'],
  ];
  let k = 0;
  for (const [c, p, ids, until, stars, voucher] of plan) await drive(c, p, ids, k++, until, stars, voucher);
  return plan.length;
}

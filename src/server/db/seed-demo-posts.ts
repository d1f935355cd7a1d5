/**
 * Demo notices and supply/demand posts, made on the first start through the real API like the demo bookings: the
 * system administrator publishes notices; 济南华测 publishes a demand (approved by the 济南 bureau) and has one
 * waiting for review; 山东省分析测试中心 publishes a supply (approved by the province).
 */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config';
import { DemoSession } from './seed-demo-bookings';

const day = (offset: number) => new Date(Date.now() + 8 * 3600_000 + offset * 86_400_000).toISOString().slice(0, 10);

const NOTICES = [
  {
    title: '关于开展 2026 年度科技创新券兑付工作的通知',
    isPinned: true,
    body: '各有关单位：\n根据省科技创新券管理办法，2026 年度创新券兑付工作现已开始。使用创新券的小微企业在平台完成结算后，系统自动提交兑付申请，请按要求上传服务合同、发票、检测报告、服务结果证明和科技创新相关性证明。\n市科技局审核通过后报省科技厅复核，审核通过的申请按月集中兑付。',
  },
  {
    title: '平台新增供需发布功能的公告',
    isPinned: false,
    body: '平台已上线“供需发布”功能。入网单位可在会员中心“我的需求”发布检测需求或服务供给，经主管部门审核后在首页和“供需信息”栏目展示，有效期届满后自动下线。',
  },
  {
    title: '大型科学仪器设备开放共享年度考核安排',
    isPinned: false,
    body: '请各入网单位于 12 月 31 日前完成仪器信息年度更新，核对仪器运行状态、收费标准和联系人信息。信息超过 365 天未更新的单位将被提示先更新信息。',
  },
];

async function reviewPending(reviewer: DemoSession, kind: string) {
  const todo = (await reviewer.call('GET', `/api/reviews?scope=todo&kind=${kind}&pageSize=50`)) as unknown as {
    items: { id: string }[];
  };
  for (const r of todo.items) await reviewer.call('POST', `/api/reviews/${r.id}/decision`, { action: 'approve' });
}

export async function seedDemoPosts(app: FastifyInstance, config: Config): Promise<{ notices: number; posts: number }> {
  const admin = await new DemoSession(app).login(config.ADMIN_USERNAME, 'person', config.ADMIN_PASSWORD);
  for (const n of NOTICES) await admin.call('POST', '/api/admin/notices', { ...n, isPublished: true });

  const jnhc = await new DemoSession(app).login('jnhc', 'legal');
  const sdatc = await new DemoSession(app).login('sdatc', 'legal');
  const demand = await jnhc.call('POST', '/api/posts', {
    kind: 'demand',
    title: '求购扫描电镜形貌观察与能谱分析服务',
    content:
      '我公司研发的新型铝合金材料需进行断口形貌观察和微区成分分析，约 30 个样品，希望两周内完成并出具检测报告。可使用省级创新券。',
    categories: ['010102'],
    fields: ['F03'],
    amountFen: 1_200_000,
    amountNote: '可议',
    contactName: '周工',
    contactPhone: '13905310088',
    contactEmail: 'zhou@jnhc.example.cn',
    validUntil: day(90),
  });
  await jnhc.call('POST', `/api/posts/${demand.id}/submit`, {});
  const supply = await sdatc.call('POST', '/api/posts', {
    kind: 'supply',
    title: '提供食品与环境样品中痕量元素及有机污染物检测',
    content:
      '本中心拥有 ICP-MS、GC-MS、LC-MS 等大型仪器，可承接食品、水质、土壤中重金属、农药残留及挥发性有机物检测，出具 CMA 报告，常规样品 5 个工作日内完成。',
    categories: ['010200'],
    fields: ['F09', 'F08'],
    amountFen: null,
    amountNote: '按收费标准',
    contactName: '赵敏',
    contactPhone: '0531-82605001',
    contactEmail: 'service@sdatc.example.cn',
    validUntil: day(180),
  });
  await sdatc.call('POST', `/api/posts/${supply.id}/submit`, {});
  await reviewPending(await new DemoSession(app).login('jinan_kjj', 'person'), 'post');
  await reviewPending(await new DemoSession(app).login('sd_kjt', 'person'), 'post');
  // one more demand, left waiting for the 济南 bureau
  const pending = await jnhc.call('POST', '/api/posts', {
    kind: 'demand',
    title: '寻求工业 CT 无损检测合作单位',
    content: '需对精密铸件进行内部缺陷三维检测，每月约 50 件，寻求长期合作的检测机构，请有工业 CT 的单位联系。',
    categories: ['020601'],
    fields: ['F02'],
    amountFen: null,
    amountNote: '面议',
    contactName: '周工',
    contactPhone: '13905310088',
    contactEmail: null,
    validUntil: day(60),
  });
  await jnhc.call('POST', `/api/posts/${pending.id}/submit`, {});
  return { notices: NOTICES.length, posts: 3 };
}

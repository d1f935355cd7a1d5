/** The table view of each dashboard chart, as the Excel export writes it. */
import { formatYuan } from '../../../domain/money';
import type { dashboard } from './queries';

type Dashboard = Awaited<ReturnType<typeof dashboard>>;
type Fig = Pick<
  Dashboard['orgs'][number],
  'effectiveHours' | 'externalHours' | 'shareRateBp' | 'services' | 'incomeFen'
>;
export type ChartKey = 'trend' | 'cities' | 'orgs' | 'instruments' | 'idle';
const pct = (bp: number) => `${(bp / 100).toFixed(1)}%`;
const HOURS = ['有效工作机时（小时）', '对外服务机时（小时）', '共享率', '服务次数', '服务收入'];

export function dashboardTables(d: Dashboard) {
  const hours = (r: Fig) => [
    r.effectiveHours,
    r.externalHours,
    pct(r.shareRateBp),
    r.services,
    formatYuan(r.incomeFen),
  ];
  return {
    trend: {
      title: '月度趋势',
      columns: ['月份', '运行机时（小时）', ...HOURS, '创新券金额'],
      rows: d.trend.map((r) => [r.month, r.runHours, ...hours(r), formatYuan(r.voucherFen)]),
    },
    cities: { title: '按城市', columns: ['城市', ...HOURS], rows: d.cities.map((r) => [r.cityName, ...hours(r)]) },
    orgs: {
      title: '单位排行',
      columns: ['单位', '城市', ...HOURS],
      rows: d.orgs.map((r) => [r.name, r.cityName, ...hours(r)]),
    },
    instruments: {
      title: '仪器排行',
      columns: ['仪器', '单位', ...HOURS],
      rows: d.instruments.map((r) => [r.name, r.orgName, ...hours(r)]),
    },
    idle: {
      title: '闲置仪器',
      columns: ['仪器', '单位', '运行机时（小时）', '定额机时使用率'],
      rows: d.idle.items.map((r) => [r.name, r.orgName, r.runHours, pct(r.quotaUseBp)]),
    },
  } satisfies Record<ChartKey, { title: string; columns: string[]; rows: unknown[][] }>;
}

import { z } from 'zod';
import { ORG_TYPES } from '../domain/reference';
import { GRADES } from '../domain/sharing-indicators';

const year = z.coerce.number().int().min(2000, '年份须在 2000–2100 之间').max(2100, '年份须在 2000–2100 之间');
const thisYear = () => Number(new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 4));

export const DashboardQuery = z.strictObject({
  year: year.default(thisYear),
  city: z
    .string()
    .regex(/^\d{6}$/, '城市代码为 6 位数字')
    .optional(),
  orgType: z.enum(Object.keys(ORG_TYPES) as [string, ...string[]]).optional(),
  category: z
    .string()
    .regex(/^\d{2,6}$/, '分类代码为 2–6 位数字')
    .optional(),
});
export const ExportQuery = DashboardQuery.extend({
  chart: z.enum(['trend', 'cities', 'orgs', 'instruments', 'idle']).optional(),
});
export const YearQuery = z.strictObject({ year: year.default(thisYear) });
export const NriiQuery = z.strictObject({
  year: year.default(thisYear),
  format: z.enum(['json', 'xlsx']).default('json'),
});

const text = (label: string) => z.string().trim().max(5000, `${label}最多 5000 个字符`);
export const NarrativeBody = z.strictObject({
  team: text('实验技术队伍建设'),
  management: text('统筹管理'),
  outcomes: text('服务成效'),
});
export const RoundBody = z.strictObject({
  year,
  title: z.string().trim().min(1, '必填').max(100, '最多 100 个字符'),
  cityCode: z
    .string()
    .regex(/^\d{6}$/, '城市代码为 6 位数字')
    .nullable()
    .optional(),
  thresholdFen: z.number().int().min(0).max(1e13).default(50_000_000),
  dueDate: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式为 YYYY-MM-DD')
    .nullable()
    .optional(),
});
export const GradeBody = z.strictObject({
  grade: z.enum(GRADES),
  comment: z.string().trim().max(1000, '最多 1000 个字符').nullable().optional(),
});
export const ExportFormat = z.strictObject({ format: z.enum(['xlsx', 'pdf']) });

const anyObject = z.looseObject({});
export const DashboardReply = z.object({
  scope: z.string(),
  filters: anyObject,
  summary: anyObject,
  trend: z.array(anyObject),
  cities: z.array(anyObject),
  orgs: z.array(anyObject),
  instruments: z.array(anyObject),
  idle: anyObject,
});
export const ReportView = anyObject;

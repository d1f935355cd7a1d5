import { z } from 'zod';
import { RUN_STATUSES, SOURCES } from '../domain/instrument';
import { PageQuery, paged } from './common';
import { StoredFile } from './files';

const text = (max: number) => z.string().trim().max(max, `最多 ${max} 个字符`).nullable().optional();
const date = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD')
  .nullable()
  .optional();
const phone = z.string().regex(/^1\d{10}$|^[0-9-]{7,20}$/, '电话格式不正确');

export const StaffMember = z.strictObject({
  name: z.string().trim().min(1, '必填').max(40),
  role: z.enum(['operator', 'maintainer'], { message: '请选择操作或维修' }),
  phone: phone.nullable().optional(),
  email: z.string().trim().max(120).email('邮箱格式不正确').nullable().optional(),
  title: text(40),
});

/** Every field of the instrument record (domain.md), grouped as 基本信息 / 协作共用联络员信息 / 主要操作及维修人员信息. */
export const InstrumentFields = z.strictObject({
  // 基本信息
  internalNo: z.string().trim().min(1, '必填').max(40, '最多 40 个字符'),
  name: z.string().trim().min(2, '至少 2 个字符').max(100, '最多 100 个字符'),
  nameEn: text(200),
  categoryCode: z.string().regex(/^\d{6}$/, '请选择仪器分类'),
  serviceFields: z.array(z.string().max(20)).max(10, '最多 10 个').default([]),
  model: text(100),
  manufacturer: text(100),
  country: text(40),
  valueFen: z.number().int('以分为单位的整数').min(0, '不能为负数').max(1e13).nullable().optional(),
  purchaseDate: date,
  startUseDate: date,
  source: z.enum(SOURCES, { message: '请选择仪器来源' }).nullable().optional(),
  specs: text(4000),
  functions: text(4000),
  serviceContent: text(4000),
  feeStandard: text(2000),
  sharingMode: z.enum(['internal', 'external'], { message: '请选择共享模式' }).default('external'),
  runStatus: z.enum(RUN_STATUSES, { message: '请选择运行状态' }).default('正常'),
  cityCode: z
    .string()
    .regex(/^\d{6}$/, '请选择所在地市')
    .nullable()
    .optional(),
  district: text(40),
  street: text(200),
  room: text(60),
  // 协作共用联络员信息
  contactName: text(40),
  contactPhone: phone.nullable().optional(),
  contactEmail: z.string().trim().max(120).email('邮箱格式不正确').nullable().optional(),
  // 主要操作及维修人员信息
  staff: z.array(StaffMember).max(20, '最多 20 人').default([]),
});
export type InstrumentFieldsT = z.infer<typeof InstrumentFields>;

/** A picture or attachment of an instrument. */
export const FileRef = StoredFile;

export const InstrumentView = InstrumentFields.extend({
  id: z.string(),
  orgId: z.string(),
  orgName: z.string(),
  cityName: z.string().nullable(),
  categoryName: z.string(),
  categoryPath: z.array(z.string()),
  serviceFieldNames: z.array(z.string()),
  staff: z.array(StaffMember.extend({})),
  state: z.enum(['draft', 'pending', 'listed', 'rejected']),
  stateLabel: z.string(),
  isDisabled: z.boolean(),
  rejectReason: z.string().nullable(),
  serviceCount: z.number(),
  ratingAverage: z.number().nullable(),
  ratingCount: z.number(),
  pictures: z.array(FileRef),
  attachments: z.array(FileRef),
  createdAt: z.string(),
  updatedAt: z.string(),
  listedAt: z.string().nullable(),
  /** Listed and not disabled: 立即预约 and 加入预选 are offered. */
  isBookable: z.boolean(),
  orgCityName: z.string(),
  /** The viewer is an admin of the owning organisation (edit, submit, 停用/启用 are offered). */
  canManage: z.boolean(),
}).strip();
export type InstrumentViewT = z.infer<typeof InstrumentView>;

/** The reply of 保存, 提交, 停用 and 启用. */
export const InstrumentSaveReply = z.object({
  id: z.string(),
  state: z.enum(['draft', 'pending', 'listed', 'rejected']),
  stateLabel: z.string(),
  isDisabled: z.boolean(),
});
export const InstrumentFileParams = z.strictObject({
  id: z.string().min(1).max(64),
  fileId: z.string().min(1).max(64),
});

export const MyInstrumentsQuery = PageQuery.extend({
  /** `listed` = listed and enabled; `disabled` = listed and disabled (停用). */
  state: z.enum(['draft', 'pending', 'listed', 'rejected', 'disabled']).optional(),
  q: z.string().trim().max(60).optional(),
}).strict();
export const InstrumentRow = z.object({
  id: z.string(),
  internalNo: z.string(),
  name: z.string(),
  model: z.string().nullable(),
  categoryName: z.string(),
  valueFen: z.number().nullable(),
  state: z.string(),
  stateLabel: z.string(),
  isDisabled: z.boolean(),
  rejectReason: z.string().nullable(),
  serviceCount: z.number(),
  pictureUrl: z.string().nullable(),
  pictureCount: z.number(),
  attachmentCount: z.number(),
  updatedAt: z.string(),
  listedAt: z.string().nullable(),
});
export const InstrumentPage = paged(InstrumentRow);

/** The columns of the import template: one per field of the instrument record, except the staff list. */
import type { InstrumentFieldsT } from '../../../contracts/instruments';
import { REQUIRED_FOR_SUBMIT, RUN_STATUSES, SHARING_MODES, SOURCES } from '../../../domain/instrument';

export type FieldKey = Exclude<keyof InstrumentFieldsT, 'staff'>;
export type ColumnKind =
  'text' | 'wan' | 'date' | 'category' | 'serviceFields' | 'sharingMode' | 'runStatus' | 'source' | 'city';

export interface Column {
  key: FieldKey;
  /** The header without the required mark; error reports name the column by it. */
  label: string;
  required: boolean;
  kind: ColumnKind;
  width: number;
  /** 填写说明 */
  hint: string;
  example: string | number | Date;
}

export const EXAMPLE_PREFIX = '示例';

export const COLUMNS: Column[] = [
  {
    key: 'internalNo',
    label: '内部编号',
    required: true,
    kind: 'text',
    width: 16,
    hint: `单位内部的仪器编号，单位内不能重复，最多 40 个字符。以“${EXAMPLE_PREFIX}”开头的行不会导入`,
    example: `${EXAMPLE_PREFIX}-001`,
  },
  {
    key: 'name',
    label: '仪器名称',
    required: true,
    kind: 'text',
    width: 24,
    hint: '中文名称，2—100 个字符',
    example: '场发射扫描电子显微镜',
  },
  {
    key: 'nameEn',
    label: '英文名称',
    required: false,
    kind: 'text',
    width: 24,
    hint: '最多 200 个字符',
    example: 'Field Emission Scanning Electron Microscope',
  },
  {
    key: 'categoryCode',
    label: '仪器分类',
    required: true,
    kind: 'category',
    width: 26,
    hint: '从下拉列表中选择，或填写 6 位分类代码（如 010102），也可填写“代码 名称”',
    example: '010102 扫描电镜',
  },
  {
    key: 'serviceFields',
    label: '服务领域',
    required: false,
    kind: 'serviceFields',
    width: 24,
    hint: '可填写多个，用“、”或“,”分隔',
    example: '新能源新材料、高端装备',
  },
  {
    key: 'model',
    label: '规格型号',
    required: false,
    kind: 'text',
    width: 14,
    hint: '最多 100 个字符',
    example: 'SU8010',
  },
  {
    key: 'manufacturer',
    label: '生产厂商',
    required: false,
    kind: 'text',
    width: 20,
    hint: '仪器的生产厂家，不是代理商',
    example: '株式会社日立高新技术',
  },
  {
    key: 'country',
    label: '产地国别',
    required: false,
    kind: 'text',
    width: 10,
    hint: '如 中国、日本、美国',
    example: '日本',
  },
  {
    key: 'valueFen',
    label: '原值（万元）',
    required: false,
    kind: 'wan',
    width: 13,
    hint: '单位为万元，最多 6 位小数（精确到分），如 356.8 表示 356.8 万元',
    example: 356.8,
  },
  {
    key: 'purchaseDate',
    label: '购置日期',
    required: false,
    kind: 'date',
    width: 12,
    hint: '格式 YYYY-MM-DD，如 2019-06-18',
    example: '2019-06-18',
  },
  {
    key: 'startUseDate',
    label: '启用日期',
    required: false,
    kind: 'date',
    width: 12,
    hint: '格式 YYYY-MM-DD',
    example: '2019-09-01',
  },
  {
    key: 'source',
    label: '仪器来源',
    required: false,
    kind: 'source',
    width: 10,
    hint: `从下拉列表中选择：${SOURCES.join('、')}`,
    example: '购置',
  },
  {
    key: 'specs',
    label: '主要技术指标',
    required: false,
    kind: 'text',
    width: 30,
    hint: '最多 4000 个字符',
    example: '分辨率 1.0 nm（15 kV）；放大倍数 20—800,000 倍',
  },
  {
    key: 'functions',
    label: '主要功能及特色',
    required: false,
    kind: 'text',
    width: 30,
    hint: '最多 4000 个字符',
    example: '材料表面形貌观察与微区成分分析',
  },
  {
    key: 'serviceContent',
    label: '服务内容',
    required: false,
    kind: 'text',
    width: 24,
    hint: '最多 4000 个字符',
    example: '样品形貌观察、能谱分析',
  },
  {
    key: 'feeStandard',
    label: '收费标准',
    required: false,
    kind: 'text',
    width: 20,
    hint: '最多 2000 个字符',
    example: '400 元/小时',
  },
  {
    key: 'sharingMode',
    label: '共享模式',
    required: false,
    kind: 'sharingMode',
    width: 11,
    hint: `从下拉列表中选择：${Object.values(SHARING_MODES).join('、')}；不填为外部共享`,
    example: '外部共享',
  },
  {
    key: 'runStatus',
    label: '运行状态',
    required: false,
    kind: 'runStatus',
    width: 11,
    hint: `从下拉列表中选择：${RUN_STATUSES.join('、')}；不填为正常`,
    example: '正常',
  },
  {
    key: 'cityCode',
    label: '所在地市',
    required: false,
    kind: 'city',
    width: 10,
    hint: '从下拉列表中选择山东省 16 个地市之一',
    example: '济南',
  },
  {
    key: 'district',
    label: '所在区县',
    required: false,
    kind: 'text',
    width: 10,
    hint: '最多 40 个字符',
    example: '历下区',
  },
  {
    key: 'street',
    label: '详细地址',
    required: false,
    kind: 'text',
    width: 22,
    hint: '最多 200 个字符',
    example: '经十路 19 号',
  },
  {
    key: 'room',
    label: '房间号',
    required: false,
    kind: 'text',
    width: 10,
    hint: '最多 60 个字符',
    example: 'A 座 201 室',
  },
  {
    key: 'contactName',
    label: '联系人',
    required: false,
    kind: 'text',
    width: 10,
    hint: '协作共用联络员姓名',
    example: '张老师',
  },
  {
    key: 'contactPhone',
    label: '联系电话',
    required: false,
    kind: 'text',
    width: 15,
    hint: '手机号或座机，如 13912345678、0531-88888888',
    example: '0531-88888888',
  },
  {
    key: 'contactEmail',
    label: '联系邮箱',
    required: false,
    kind: 'text',
    width: 22,
    hint: '如 lab@example.com',
    example: 'lab@example.com',
  },
];

/**
 * Starred (*) in the template: every column 提交 requires (REQUIRED_FOR_SUBMIT), and those the import itself needs.
 * A row that fills every starred column can be submitted without an edit; only `required` ones refuse an empty cell.
 */
export const isStarred = (c: Column) => c.required || (REQUIRED_FOR_SUBMIT as readonly string[]).includes(c.key);
export const headerText = (c: Column) => (isStarred(c) ? `*${c.label}` : c.label);
/** Headers are matched without the required mark, blanks, or the difference between full- and half-width brackets. */
export const normalizeHeader = (s: string) =>
  s
    .replace(/[*＊\s]/g, '')
    .replace(/\(/g, '（')
    .replace(/\)/g, '）');

export const labelOf = (key: string): string => COLUMNS.find((c) => c.key === key.split('.')[0])?.label ?? key;

export const SHARING_CHOICES: Record<string, 'internal' | 'external'> = {
  内部共享: 'internal',
  外部共享: 'external',
  内部: 'internal',
  外部: 'external',
  internal: 'internal',
  external: 'external',
};
export const RUN_STATUS_CHOICES = Object.fromEntries(RUN_STATUSES.map((s) => [s, s])) as Record<
  string,
  (typeof RUN_STATUSES)[number]
>;
export const SOURCE_CHOICES = Object.fromEntries(SOURCES.map((s) => [s, s])) as Record<
  string,
  (typeof SOURCES)[number]
>;

/** Reference data seeded at first start. Codes are GB/T 2260 city codes of Shandong. */
export const PROVINCE = { code: '370000', name: '山东省', department: '山东省科学技术厅' } as const;

export const SHANDONG_CITIES = [
  ['370100', '济南'],
  ['370200', '青岛'],
  ['370300', '淄博'],
  ['370400', '枣庄'],
  ['370500', '东营'],
  ['370600', '烟台'],
  ['370700', '潍坊'],
  ['370800', '济宁'],
  ['370900', '泰安'],
  ['371000', '威海'],
  ['371100', '日照'],
  ['371300', '临沂'],
  ['371400', '德州'],
  ['371500', '聊城'],
  ['371600', '滨州'],
  ['371700', '菏泽'],
] as const;

/** Organisations outside the province pick this pseudo-city. */
export const OUT_OF_PROVINCE = { code: '000000', name: '省外' } as const;

export const cityName = (code: string) =>
  SHANDONG_CITIES.find(([c]) => c === code)?.[1] ?? (code === OUT_OF_PROVINCE.code ? OUT_OF_PROVINCE.name : code);

export const cityBureauName = (cityName: string) => `${cityName}市科学技术局`;

export const ORG_TYPES = {
  enterprise: '企业',
  university: '高等院校',
  institute: '科研院所',
  government: '政府机关',
  public_institution: '事业单位',
  other: '其他',
} as const;
export type OrgType = keyof typeof ORG_TYPES;

export const SERVICE_FIELDS = [
  '新一代信息技术',
  '高端装备',
  '新能源新材料',
  '现代海洋',
  '医养健康',
  '高端化工',
  '现代高效农业',
  '生态环保',
  '食品安全',
  '其他',
] as const;

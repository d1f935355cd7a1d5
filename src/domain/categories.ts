/**
 * Instrument categories (仪器分类): 6-digit codes, 2 digits each for class, subclass and kind; 00 = other.
 * Classes and subclasses follow domain.md; kinds are the common ones of the national reporting practice.
 */
export const CATEGORY_CLASSES: [string, string][] = [
  ['01', '分析仪器'],
  ['02', '物理性能测试仪器'],
  ['03', '计量仪器'],
  ['04', '天文仪器'],
  ['05', '海洋仪器'],
  ['06', '地球探测仪器'],
  ['07', '大气探测仪器'],
  ['08', '电子测量仪器'],
  ['09', '医学科研仪器'],
  ['10', '核仪器'],
  ['11', '特种检测仪器'],
  ['12', '激光器'],
  ['13', '工艺试验仪器'],
  ['14', '计算机及其配套设备'],
  ['15', '其他仪器'],
];

export const CATEGORY_SUBCLASSES: [string, string][] = [
  ['0101', '电子光学仪器'],
  ['0102', '质谱仪器'],
  ['0103', 'X射线仪器'],
  ['0104', '光谱仪器'],
  ['0105', '色谱仪器'],
  ['0106', '波谱仪器'],
  ['0107', '电化学仪器'],
  ['0108', '显微镜及图像分析仪器'],
  ['0109', '热分析仪器'],
  ['0110', '生化分离分析仪器'],
  ['0111', '环境与农业分析仪器'],
  ['0112', '样品前处理及制备仪器'],
  ['0113', '其他分析仪器'],
  ['0201', '力学性能测试仪器'],
  ['0202', '大地测量仪器'],
  ['0203', '光电测量仪器'],
  ['0204', '声学振动仪器'],
  ['0205', '颗粒度测量仪器'],
  ['0206', '探伤仪器'],
  ['0207', '其他物理性能测试仪器'],
  ['0301', '长度计量仪器'],
  ['0302', '热学计量仪器'],
  ['0303', '力学计量仪器'],
  ['0304', '电磁学计量仪器'],
  ['0305', '时间频率计量仪器'],
  ['0306', '声学计量仪器'],
  ['0307', '光学计量仪器'],
  ['0308', '其他计量仪器'],
];

export const CATEGORY_KINDS: [string, string][] = [
  ['010101', '透射电镜'],
  ['010102', '扫描电镜'],
  ['010103', '电子探针'],
  ['010104', '聚焦离子束'],
  ['010201', '有机质谱仪'],
  ['010202', '无机质谱仪'],
  ['010203', '同位素质谱仪'],
  ['010204', '气相色谱-质谱联用仪'],
  ['010205', '液相色谱-质谱联用仪'],
  ['010301', 'X射线衍射仪'],
  ['010302', 'X射线荧光光谱仪'],
  ['010303', 'X射线光电子能谱仪'],
  ['010401', '原子吸收光谱仪'],
  ['010402', '原子发射光谱仪'],
  ['010403', '紫外可见分光光度计'],
  ['010404', '红外光谱仪'],
  ['010405', '拉曼光谱仪'],
  ['010406', '荧光光谱仪'],
  ['010501', '气相色谱仪'],
  ['010502', '液相色谱仪'],
  ['010503', '离子色谱仪'],
  ['010601', '核磁共振波谱仪'],
  ['010602', '电子顺磁共振波谱仪'],
  ['010801', '激光共聚焦显微镜'],
  ['010802', '原子力显微镜'],
  ['010803', '光学显微镜'],
  ['010901', '差示扫描量热仪'],
  ['010902', '热重分析仪'],
  ['011001', '流式细胞仪'],
  ['011002', '实时荧光定量PCR仪'],
  ['011003', '高通量测序仪'],
  ['020101', '万能材料试验机'],
  ['020102', '疲劳试验机'],
  ['020501', '激光粒度仪'],
  ['020601', '工业CT'],
  ['020602', '超声探伤仪'],
];

export interface CategoryNode {
  code: string;
  name: string;
  parent: string | null;
  level: 1 | 2 | 3;
}

/** The whole tree as rows: class XX0000, subclass XXYY00, kind XXYYZZ. */
export function categoryRows(): CategoryNode[] {
  return [
    ...CATEGORY_CLASSES.map(([c, name]) => ({ code: `${c}0000`, name, parent: null, level: 1 as const })),
    ...CATEGORY_SUBCLASSES.map(([c, name]) => ({
      code: `${c}00`,
      name,
      parent: `${c.slice(0, 2)}0000`,
      level: 2 as const,
    })),
    ...CATEGORY_KINDS.map(([c, name]) => ({ code: c, name, parent: `${c.slice(0, 4)}00`, level: 3 as const })),
  ];
}

export const isCategoryCode = (s: string) => /^\d{6}$/.test(s);
/** The prefix that selects a node and everything under it. */
export function categoryPrefix(code: string): string {
  if (code.endsWith('0000')) return code.slice(0, 2);
  if (code.endsWith('00')) return code.slice(0, 4);
  return code;
}

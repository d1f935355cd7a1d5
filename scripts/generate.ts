/**
 * Deterministic catalogue data for the benchmark (N instruments in about N/50 organisations, `loadCatalogue`) and
 * the demo seed (about 300 instruments of the demo organisations, `generateDemo`): a seeded PRNG, real instrument
 * kinds with their Chinese names, models and manufacturers, spread over the categories of src/domain/categories.ts
 * and the 16 cities.
 */
import crypto from 'node:crypto';
import { sql } from 'kysely';
import type { Database } from '../src/server/db/connect';
import { newId } from '../src/server/db/ids';
import { reindexInstruments } from '../src/server/modules/catalogue/indexer';
import { buildSearchText } from '../src/server/modules/catalogue/text';
import { usccCheckChar } from '../src/domain/uscc';
import { SHANDONG_CITIES } from '../src/domain/reference';
// ------------------------------------------------------------------ deterministic data

export function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
export const SEED = 20261129;
let rnd = prng(SEED);
/** Restarts the sequence: the same seed gives the same data. */
export const reseed = (seed = SEED) => {
  rnd = prng(seed);
};
const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));

export interface Kind {
  code: string;
  names: string[];
  en: string;
  models: string[];
  makers: string[];
  specs: string[];
  functions: string[];
  weight: number;
}

export const MAKERS = {
  jeol: '日本电子株式会社',
  hitachi: '日立高新技术公司',
  zeiss: '卡尔蔡司股份公司',
  thermo: '赛默飞世尔科技公司',
  bruker: '布鲁克公司',
  agilent: '安捷伦科技有限公司',
  shimadzu: '岛津企业管理（中国）有限公司',
  waters: '沃特世科技有限公司',
  sciex: 'AB Sciex',
  olympus: '奥林巴斯株式会社',
  nikon: '尼康株式会社',
  leica: '徕卡显微系统',
  rigaku: '理学株式会社',
  panalytical: '马尔文帕纳科',
  malvern: '马尔文帕纳科',
  netzsch: '耐驰仪器制造有限公司',
  ta: 'TA仪器',
  instron: '英斯特朗',
  mts: '美特斯工业系统（中国）有限公司',
  bd: '碧迪医疗器械',
  beckman: '贝克曼库尔特',
  illumina: 'Illumina',
  mgi: '深圳华大智造科技股份有限公司',
  keysight: '是德科技',
  rs: '罗德与施瓦茨',
  focus: '聚光科技（杭州）股份有限公司',
  skyray: '江苏天瑞仪器股份有限公司',
  sanfeng: '济南三峰仪器有限公司',
  ge: '通用电气检测科技',
  yxlon: '依科视朗',
  horiba: '堀场制作所',
  perkin: 'PerkinElmer珀金埃尔默',
} as const;

export const KINDS: Kind[] = [
  {
    code: '010101',
    names: ['透射电子显微镜', '场发射透射电子显微镜', '球差校正透射电子显微镜'],
    en: 'Transmission Electron Microscope',
    models: ['JEM-2100F', 'JEM-F200', 'Talos F200X', 'Tecnai G2 F20', 'Titan Themis Z', 'HT7800'],
    makers: [MAKERS.jeol, MAKERS.thermo, MAKERS.hitachi],
    specs: ['点分辨率 0.19 nm', '信息分辨率 0.12 nm', '加速电压 80～200 kV', '配备能谱仪与电子能量损失谱'],
    functions: ['纳米材料微观结构观察', '高分辨晶格像与电子衍射分析', '生物超薄切片观察'],
    weight: 4,
  },
  {
    code: '010102',
    names: ['扫描电子显微镜', '场发射扫描电子显微镜', '台式扫描电镜', '环境扫描电子显微镜', '冷场发射扫描电镜'],
    en: 'Scanning Electron Microscope',
    models: [
      'SU8010',
      'SU8020',
      'SU5000',
      'Regulus 8100',
      'Sigma 300',
      'GeminiSEM 500',
      'Apreo 2',
      'JSM-7800F',
      'TM4000Plus',
      'Quanta 250 FEG',
    ],
    makers: [MAKERS.hitachi, MAKERS.zeiss, MAKERS.thermo, MAKERS.jeol],
    specs: ['二次电子分辨率 1.0 nm（15 kV）', '放大倍数 20～800,000×', '配备牛津能谱仪', '背散射电子探测器'],
    functions: ['材料表面微观形貌观察', '配合能谱仪进行微区成分分析', '断口分析与失效分析'],
    weight: 8,
  },
  {
    code: '010103',
    names: ['电子探针显微分析仪'],
    en: 'Electron Probe Microanalyzer',
    models: ['JXA-8230', 'JXA-iHP200F', 'EPMA-1720'],
    makers: [MAKERS.jeol, MAKERS.shimadzu],
    specs: ['波谱仪 5 道', '元素分析范围 B～U'],
    functions: ['微区元素定量分析', '矿物成分面分布分析'],
    weight: 1,
  },
  {
    code: '010104',
    names: ['聚焦离子束扫描电镜双束系统', '聚焦离子束显微镜'],
    en: 'Focused Ion Beam SEM',
    models: ['Helios 5 UX', 'Crossbeam 550', 'Scios 2'],
    makers: [MAKERS.thermo, MAKERS.zeiss],
    specs: ['离子束分辨率 2.5 nm', '配备纳米操纵手'],
    functions: ['透射样品制备', '微纳加工与三维重构'],
    weight: 1,
  },
  {
    code: '010201',
    names: ['高分辨质谱仪', '基质辅助激光解吸电离飞行时间质谱仪'],
    en: 'Mass Spectrometer',
    models: ['Q Exactive Plus', 'Orbitrap Exploris 480', 'rapifleX'],
    makers: [MAKERS.thermo, MAKERS.bruker],
    specs: ['分辨率 140,000', '质量精度 < 3 ppm'],
    functions: ['蛋白质组学分析', '小分子结构鉴定'],
    weight: 2,
  },
  {
    code: '010202',
    names: ['电感耦合等离子体质谱仪'],
    en: 'ICP-MS',
    models: ['7900', 'iCAP RQ', 'NexION 2000'],
    makers: [MAKERS.agilent, MAKERS.thermo, MAKERS.perkin],
    specs: ['检出限 ppt 级', '碰撞反应池'],
    functions: ['痕量元素分析', '食品与环境重金属检测'],
    weight: 2,
  },
  {
    code: '010204',
    names: ['气相色谱-质谱联用仪', '气质联用仪', '三重四极杆气质联用仪'],
    en: 'GC-MS',
    models: ['7890B-5977B', 'QP2020 NX', 'TSQ 9000', 'Intuvo 9000'],
    makers: [MAKERS.agilent, MAKERS.shimadzu, MAKERS.thermo],
    specs: ['质量范围 1.5～1050 u', '电子轰击源与化学电离源'],
    functions: ['挥发性有机物定性定量分析', '农药残留检测'],
    weight: 4,
  },
  {
    code: '010205',
    names: ['液相色谱-质谱联用仪', '超高效液相色谱-串联质谱仪', '液质联用仪'],
    en: 'LC-MS/MS',
    models: ['6470B', 'Xevo TQ-XS', 'Triple Quad 6500+', 'LCMS-8060'],
    makers: [MAKERS.agilent, MAKERS.waters, MAKERS.sciex, MAKERS.shimadzu],
    specs: ['多反应监测 MRM', '电喷雾离子源'],
    functions: ['兽药残留检测', '代谢组学分析', '药物代谢动力学研究'],
    weight: 4,
  },
  {
    code: '010301',
    names: ['X射线衍射仪', '高分辨X射线衍射仪', '单晶X射线衍射仪'],
    en: 'X-ray Diffractometer',
    models: ['D8 ADVANCE', 'SmartLab', 'Empyrean', 'XRD-7000'],
    makers: [MAKERS.bruker, MAKERS.rigaku, MAKERS.panalytical, MAKERS.shimadzu],
    specs: ['测角仪半径 ≥ 200 mm', '铜靶，最大功率 3 kW'],
    functions: ['物相定性定量分析', '晶粒尺寸与残余应力测定'],
    weight: 4,
  },
  {
    code: '010302',
    names: ['X射线荧光光谱仪', '波长色散X射线荧光光谱仪'],
    en: 'X-ray Fluorescence Spectrometer',
    models: ['S8 TIGER', 'ZSX Primus IV', 'EDX-7000'],
    makers: [MAKERS.bruker, MAKERS.rigaku, MAKERS.shimadzu, MAKERS.skyray],
    specs: ['元素范围 Be～U'],
    functions: ['主次量元素快速分析'],
    weight: 2,
  },
  {
    code: '010303',
    names: ['X射线光电子能谱仪'],
    en: 'X-ray Photoelectron Spectrometer',
    models: ['ESCALAB Xi+', 'K-Alpha', 'AXIS Supra'],
    makers: [MAKERS.thermo, MAKERS.shimadzu],
    specs: ['能量分辨率 0.45 eV', '单色化 Al Kα 源'],
    functions: ['表面元素化学态分析', '深度剖析'],
    weight: 2,
  },
  {
    code: '010401',
    names: ['原子吸收光谱仪', '石墨炉原子吸收光谱仪'],
    en: 'Atomic Absorption Spectrometer',
    models: ['AA-7000', 'PinAAcle 900T', 'ContrAA 800'],
    makers: [MAKERS.shimadzu, MAKERS.perkin],
    specs: ['火焰与石墨炉一体'],
    functions: ['金属元素含量测定'],
    weight: 3,
  },
  {
    code: '010402',
    names: ['电感耦合等离子体发射光谱仪'],
    en: 'ICP-OES',
    models: ['Avio 500', '5110', 'iCAP PRO'],
    makers: [MAKERS.perkin, MAKERS.agilent, MAKERS.thermo],
    specs: ['波长范围 165～900 nm'],
    functions: ['多元素同时测定'],
    weight: 3,
  },
  {
    code: '010403',
    names: ['紫外可见分光光度计', '紫外可见近红外分光光度计'],
    en: 'UV-Vis Spectrophotometer',
    models: ['UV-2600', 'Cary 5000', 'Lambda 1050+'],
    makers: [MAKERS.shimadzu, MAKERS.agilent, MAKERS.perkin],
    specs: ['波长范围 185～3300 nm'],
    functions: ['吸光度与透射率测定'],
    weight: 3,
  },
  {
    code: '010404',
    names: ['傅里叶变换红外光谱仪', '显微红外光谱仪'],
    en: 'FTIR Spectrometer',
    models: ['Nicolet iS50', 'VERTEX 70v', 'IRTracer-100'],
    makers: [MAKERS.thermo, MAKERS.bruker, MAKERS.shimadzu],
    specs: ['分辨率 0.09 cm⁻¹', '配备显微红外附件'],
    functions: ['有机官能团鉴定', '高分子材料成分分析'],
    weight: 3,
  },
  {
    code: '010405',
    names: ['激光显微拉曼光谱仪', '共聚焦显微拉曼光谱仪'],
    en: 'Confocal Raman Microscope',
    models: ['LabRAM HR Evolution', 'inVia Qontor', 'DXR3xi'],
    makers: [MAKERS.horiba, MAKERS.thermo],
    specs: ['激发波长 532/633/785 nm', '空间分辨率 < 1 μm'],
    functions: ['材料结构与应力分析', '二维材料层数表征'],
    weight: 2,
  },
  {
    code: '010406',
    names: ['荧光光谱仪', '稳态瞬态荧光光谱仪'],
    en: 'Fluorescence Spectrometer',
    models: ['FLS1000', 'FluoroMax-4', 'F-7000'],
    makers: [MAKERS.horiba, MAKERS.hitachi],
    specs: ['荧光寿命测量 ps 级'],
    functions: ['荧光量子产率测定'],
    weight: 2,
  },
  {
    code: '010501',
    names: ['气相色谱仪', '全二维气相色谱仪'],
    en: 'Gas Chromatograph',
    models: ['7890B', '8890', 'GC-2030', 'Trace 1310', 'GC9790Plus'],
    makers: [MAKERS.agilent, MAKERS.shimadzu, MAKERS.thermo, MAKERS.focus],
    specs: ['检测器 FID、ECD、NPD', '柱温箱最高 450 ℃'],
    functions: ['挥发性成分分析', '溶剂残留测定'],
    weight: 6,
  },
  {
    code: '010502',
    names: ['高效液相色谱仪', '超高效液相色谱仪', '制备液相色谱仪'],
    en: 'High Performance Liquid Chromatograph',
    models: ['1260 Infinity II', 'LC-20AD', 'ACQUITY UPLC H-Class', 'Vanquish', 'LC-2030C'],
    makers: [MAKERS.agilent, MAKERS.shimadzu, MAKERS.waters, MAKERS.thermo],
    specs: ['二元高压梯度', '二极管阵列检测器', '自动进样器 120 位'],
    functions: ['药物含量测定', '食品添加剂检测'],
    weight: 7,
  },
  {
    code: '010503',
    names: ['离子色谱仪'],
    en: 'Ion Chromatograph',
    models: ['ICS-5000+', 'ICS-6000', '930 Compact IC'],
    makers: [MAKERS.thermo],
    specs: ['抑制电导检测'],
    functions: ['阴阳离子分析', '水质检测'],
    weight: 3,
  },
  {
    code: '010601',
    names: ['核磁共振波谱仪', '超导核磁共振波谱仪'],
    en: 'NMR Spectrometer',
    models: ['AVANCE NEO 600', 'AVANCE III HD 400', 'JNM-ECZ500R'],
    makers: [MAKERS.bruker, MAKERS.jeol],
    specs: ['600 MHz', '配低温探头'],
    functions: ['有机化合物结构解析', '固体核磁分析'],
    weight: 3,
  },
  {
    code: '010602',
    names: ['电子顺磁共振波谱仪'],
    en: 'EPR Spectrometer',
    models: ['EMXplus', 'A300'],
    makers: [MAKERS.bruker],
    specs: ['X 波段'],
    functions: ['自由基检测'],
    weight: 1,
  },
  {
    code: '010801',
    names: ['激光扫描共聚焦显微镜', '转盘共聚焦显微镜', '超高分辨激光共聚焦显微镜'],
    en: 'Confocal Laser Scanning Microscope',
    models: ['LSM 880', 'LSM 980', 'TCS SP8', 'FV3000', 'A1R HD25'],
    makers: [MAKERS.zeiss, MAKERS.leica, MAKERS.olympus, MAKERS.nikon],
    specs: ['4 路激光 405/488/561/640 nm', '光谱检测 32 通道'],
    functions: ['细胞活体成像', '荧光共定位分析'],
    weight: 6,
  },
  {
    code: '010802',
    names: ['原子力显微镜', '扫描探针显微镜'],
    en: 'Atomic Force Microscope',
    models: ['Dimension Icon', 'MFP-3D Infinity', 'NX10'],
    makers: [MAKERS.bruker, 'Oxford Instruments 牛津仪器', 'Park Systems'],
    specs: ['扫描范围 90 μm', 'Z 向噪声 < 30 pm'],
    functions: ['表面形貌与粗糙度测量', '纳米力学性能测量'],
    weight: 4,
  },
  {
    code: '010803',
    names: ['研究级正置显微镜', '倒置荧光显微镜', '体视显微镜', '偏光显微镜', '金相显微镜'],
    en: 'Optical Microscope',
    models: ['IX73', 'BX53', 'Eclipse Ti2', 'Axio Imager 2', 'DMi8', 'SZX16'],
    makers: [MAKERS.olympus, MAKERS.nikon, MAKERS.zeiss, MAKERS.leica],
    specs: ['物镜 4×～100×', '配备数字相机'],
    functions: ['组织切片观察', '金相组织分析'],
    weight: 9,
  },
  {
    code: '010901',
    names: ['差示扫描量热仪'],
    en: 'Differential Scanning Calorimeter',
    models: ['DSC 214', 'Q2000', 'DSC 8500'],
    makers: [MAKERS.netzsch, MAKERS.ta, MAKERS.perkin],
    specs: ['温度范围 -170～600 ℃'],
    functions: ['玻璃化转变与熔融分析'],
    weight: 2,
  },
  {
    code: '010902',
    names: ['热重分析仪', '同步热分析仪'],
    en: 'Thermogravimetric Analyzer',
    models: ['TG 209 F3', 'STA 449 F5', 'TGA 550'],
    makers: [MAKERS.netzsch, MAKERS.ta],
    specs: ['天平灵敏度 0.1 μg'],
    functions: ['热稳定性与组分分析'],
    weight: 2,
  },
  {
    code: '011001',
    names: ['流式细胞仪', '流式细胞分选仪'],
    en: 'Flow Cytometer',
    models: ['CytoFLEX', 'FACSCanto II', 'Attune NxT', 'FACSAria III'],
    makers: [MAKERS.beckman, MAKERS.bd, MAKERS.thermo],
    specs: ['3 激光 13 色'],
    functions: ['细胞周期与凋亡分析', '免疫分型'],
    weight: 3,
  },
  {
    code: '011002',
    names: ['实时荧光定量PCR仪'],
    en: 'Real-time PCR System',
    models: ['QuantStudio 5', 'CFX96', 'LightCycler 480 II'],
    makers: [MAKERS.thermo, 'Bio-Rad 伯乐', 'Roche 罗氏'],
    specs: ['96 孔', '5 色荧光检测'],
    functions: ['基因表达定量', '病原体检测'],
    weight: 3,
  },
  {
    code: '011003',
    names: ['高通量测序仪', '基因测序仪'],
    en: 'Sequencer',
    models: ['NovaSeq 6000', 'MGISEQ-2000', 'DNBSEQ-T7'],
    makers: [MAKERS.illumina, MAKERS.mgi],
    specs: ['单次通量 6 Tb'],
    functions: ['全基因组测序', '转录组测序'],
    weight: 2,
  },
  {
    code: '020101',
    names: ['万能材料试验机', '电子万能试验机', '高温拉伸试验机'],
    en: 'Universal Testing Machine',
    models: ['5982', 'AG-X plus', 'Z100', 'CMT5105'],
    makers: [MAKERS.instron, MAKERS.shimadzu, 'ZwickRoell 兹韦克', MAKERS.mts],
    specs: ['最大载荷 100 kN', '配高温炉与视频引伸计'],
    functions: ['拉伸、压缩、弯曲性能测试'],
    weight: 5,
  },
  {
    code: '020102',
    names: ['疲劳试验机', '电液伺服疲劳试验机'],
    en: 'Fatigue Testing Machine',
    models: ['8801', 'EHF-EV101K', 'Landmark 370'],
    makers: [MAKERS.instron, MAKERS.shimadzu, MAKERS.mts],
    specs: ['动态载荷 ±100 kN'],
    functions: ['高周与低周疲劳试验'],
    weight: 2,
  },
  {
    code: '020501',
    names: ['激光粒度仪', '纳米粒度及Zeta电位分析仪'],
    en: 'Laser Particle Size Analyzer',
    models: ['Mastersizer 3000', 'LA-960', 'Zetasizer Ultra', 'Bettersize 2600'],
    makers: [MAKERS.malvern, MAKERS.horiba, '丹东百特仪器有限公司'],
    specs: ['测量范围 0.01～3500 μm'],
    functions: ['粉体粒度分布测定'],
    weight: 3,
  },
  {
    code: '020601',
    names: ['工业CT', '微焦点X射线CT', '三维X射线显微镜'],
    en: 'Industrial CT',
    models: ['phoenix v|tome|x m', 'Xradia 520 Versa', 'YXLON FF35'],
    makers: [MAKERS.ge, MAKERS.zeiss, MAKERS.yxlon],
    specs: ['微焦点射线源 300 kV', '体素尺寸 0.5 μm'],
    functions: ['内部缺陷无损检测', '三维重构与尺寸测量'],
    weight: 2,
  },
  {
    code: '020602',
    names: ['超声探伤仪', '相控阵超声检测仪'],
    en: 'Ultrasonic Flaw Detector',
    models: ['OmniScan X3', 'EPOCH 650'],
    makers: [MAKERS.olympus],
    specs: ['64 阵元相控阵'],
    functions: ['焊缝缺陷检测'],
    weight: 2,
  },
  {
    code: '030100',
    names: ['三坐标测量机', '影像测量仪'],
    en: 'Coordinate Measuring Machine',
    models: ['CONTURA', 'Global S', 'CRYSTA-Apex V'],
    makers: [MAKERS.zeiss, '海克斯康', '三丰'],
    specs: ['示值误差 1.5+L/350 μm'],
    functions: ['复杂零件尺寸与形位公差检测'],
    weight: 3,
  },
  {
    code: '080000',
    names: ['矢量网络分析仪', '频谱分析仪', '数字示波器'],
    en: 'Network Analyzer',
    models: ['N5227B', 'FSW43', 'MSO64'],
    makers: [MAKERS.keysight, MAKERS.rs, 'Tektronix 泰克'],
    specs: ['频率范围 10 MHz～67 GHz'],
    functions: ['射频器件 S 参数测量', '电磁兼容预测试'],
    weight: 3,
  },
  {
    code: '090000',
    names: ['小动物活体成像系统', '小动物超声成像系统'],
    en: 'In Vivo Imaging System',
    models: ['IVIS Spectrum', 'Vevo 3100'],
    makers: [MAKERS.perkin, 'FUJIFILM VisualSonics'],
    specs: ['生物发光与荧光成像'],
    functions: ['肿瘤模型活体成像'],
    weight: 2,
  },
  {
    code: '120000',
    names: ['飞秒激光器', '可调谐脉冲激光器'],
    en: 'Femtosecond Laser',
    models: ['Astrella', 'Chameleon Ultra II'],
    makers: ['Coherent 相干', 'Spectra-Physics'],
    specs: ['脉宽 < 35 fs'],
    functions: ['超快光谱研究', '激光微加工'],
    weight: 1,
  },
  {
    code: '130000',
    names: ['磁控溅射镀膜仪', '原子层沉积系统', '等离子体刻蚀机'],
    en: 'Magnetron Sputtering System',
    models: ['PVD 75', 'Savannah S200', 'ICP-RIE 180'],
    makers: ['Kurt J. Lesker', 'Veeco', '北方华创科技集团股份有限公司'],
    specs: ['4 英寸基片', '本底真空 5×10⁻⁵ Pa'],
    functions: ['薄膜制备', '微纳器件加工'],
    weight: 2,
  },
  {
    code: '140000',
    names: ['高性能计算集群', 'GPU计算服务器'],
    en: 'HPC Cluster',
    models: ['NF5488A5', 'Sugon TC6600'],
    makers: ['浪潮电子信息产业股份有限公司', '曙光信息产业股份有限公司'],
    specs: ['峰值 1 PFlops', '8 × A100 GPU'],
    functions: ['分子动力学模拟', '深度学习训练'],
    weight: 2,
  },
];
const GENERIC_SPECS = [
  '配备自动进样器',
  '软件支持远程控制与数据导出',
  '具备全自动校准功能',
  '配备显微成像模块',
  '稳定性优于 0.5%/8 h',
  '可扩展低温样品台',
  '工作环境温度 20±2 ℃',
  '样品室可抽真空',
];
const GENERIC_FUNCTIONS = [
  '面向社会开放共享',
  '可提供委托检测服务',
  '支持科研与教学',
  '可开展方法开发',
  '服务中小企业研发',
  '承担检验检测认证任务',
];
const ORG_PATTERNS: [string, string][] = [
  ['university', '{c}{x}大学'],
  ['university', '{c}{x}学院'],
  ['institute', '山东省{x}研究院'],
  ['institute', '{c}市{x}研究所'],
  ['public_institution', '{c}市{x}检验检测中心'],
  ['public_institution', '{c}{x}质量技术监督检验所'],
  ['enterprise', '{c}{x}科技有限公司'],
  ['enterprise', '{c}{x}新材料股份有限公司'],
  ['enterprise', '{c}{x}生物医药有限公司'],
  ['enterprise', '{c}{x}精密检测技术有限公司'],
];
export const ORG_WORDS = [
  '华信',
  '海洋',
  '理工',
  '农业',
  '医科',
  '科技',
  '材料',
  '化工',
  '环境',
  '生物',
  '智能',
  '光电',
  '能源',
  '轻工',
  '交通',
  '建筑',
  '中医药',
  '食品',
  '海泰',
  '金诺',
  '润达',
  '瑞康',
  '鲁信',
  '齐鲁',
  '泰山',
  '黄河',
  '蓝海',
  '恒通',
  '新华',
  '东方',
];

const SYMBOLS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
function uscc(k: number, city: string) {
  let body = '';
  let x = k * 7919 + 104_729;
  for (let i = 0; i < 9; i++) {
    body += SYMBOLS[x % 31];
    x = Math.floor(x / 31) + i * 17 + k;
  }
  const first = `91${city}${body}`;
  return first + usccCheckChar(first);
}

function weighted<T extends { weight: number }>(xs: T[]) {
  const total = xs.reduce((a, x) => a + x.weight, 0);
  return () => {
    let r = rnd() * total;
    for (const x of xs) {
      r -= x.weight;
      if (r < 0) return x;
    }
    return xs[xs.length - 1];
  };
}

// ------------------------------------------------------------------ load

type Log = (...a: unknown[]) => void;

/** One generated instrument (no ids): the fields a person would fill in, deterministic for the current seed. */
export function generateInstrument(kind: () => Kind = defaultKind()) {
  const kd = kind();
  const name = pick(kd.names);
  const model = pick(kd.models);
  const manufacturer = pick(kd.makers);
  const specs = [
    ...new Set([pick(kd.specs), pick(kd.specs), pick(GENERIC_SPECS), ...(rnd() < 0.5 ? [pick(GENERIC_SPECS)] : [])]),
  ].join('；');
  const functions = [...new Set([pick(kd.functions), pick(kd.functions), pick(GENERIC_FUNCTIONS)])].join('，');
  const year = int(2005, 2024);
  const valueYuan = Math.round(Math.exp(Math.log(200_000) + rnd() * Math.log(150)) / 1000) * 1000;
  return {
    name,
    nameEn: rnd() < 0.8 ? kd.en : null,
    categoryCode: kd.code,
    model,
    manufacturer,
    specs,
    functions,
    valueFen: rnd() < 0.98 ? valueYuan * 100 : null,
    purchaseDate:
      rnd() < 0.97 ? `${year}-${String(int(1, 12)).padStart(2, '0')}-${String(int(1, 28)).padStart(2, '0')}` : null,
    sharingMode: (rnd() < 0.85 ? 'external' : 'internal') as 'external' | 'internal',
    runStatus: rnd() < 0.8 ? '正常' : pick(['待机', '待机', '偶有故障', '故障频繁', '待修', '待报废']),
    fields: [...new Set(Array.from({ length: int(1, 3) }, () => `F${String(int(1, 10)).padStart(2, '0')}`))],
    cityCode: rnd() < 0.3 ? null : pick(SHANDONG_CITIES)[0],
  };
}
const defaultKind = () => weighted(KINDS);

/** The seed of the demo data (src/server/db/seed-demo.ts): the same instruments on every first start. */
export const DEMO_SEED = 20_261_130;

/**
 * `n` instruments for the demo seed, spread over `orgCount` organisations (an index into the caller's list; larger
 * holdings for the first ones, as universities and centres hold more), with a service count and, for a few, 停用.
 * Deterministic: it restarts the sequence with DEMO_SEED.
 */
export function generateDemo(n: number, orgCount: number) {
  reseed(DEMO_SEED);
  const kind = defaultKind();
  return Array.from({ length: n }, () => ({
    ...generateInstrument(kind),
    org: Math.floor(Math.pow(rnd(), 1.3) * orgCount),
    serviceCount: Math.floor(Math.exp(rnd() * Math.log(300))),
    isDisabled: rnd() < 0.03,
    startDays: int(15, 120),
  }));
}

/**
 * Writes `n` instruments in max(20, n/50) approved organisations (with one legal-representative user) into a
 * migrated, reference-seeded database and indexes them with the catalogue's own indexer.
 */
export async function loadCatalogue(
  database: Database,
  n: number,
  log: Log = () => undefined,
): Promise<{ orgs: { id: string; name: string; city: string }[]; indexS: number }> {
  const N = n;
  const { db } = database;
  reseed(); // the same data on every database
  const now = new Date().toISOString();
  const userId = newId();
  await db
    .insertInto('users')
    .values({
      id: userId,
      username: `bench${crypto.randomBytes(3).toString('hex')}`,
      mobile: null,
      email: null,
      realName: '基准测试',
      passwordHash: 'x',
      kind: 'person',
      departmentId: null,
      isDisabled: false,
      mustChangePassword: false,
      lockedUntil: null,
      createdAt: now,
      updatedAt: now,
    })
    .execute();
  const depts = new Map(
    (await db.selectFrom('departments').select(['id', 'code']).execute()).map((d) => [d.code, d.id]),
  );
  const orgCount = Math.max(20, Math.round(N / 50));
  const orgs: { id: string; name: string; city: string }[] = [];
  const rowsO = [];
  for (let k = 0; k < orgCount; k++) {
    const city = pick(SHANDONG_CITIES);
    const [type, pattern] = pick(ORG_PATTERNS);
    const name = pattern
      .replace('{c}', city[1])
      .replace('{x}', `${pick(ORG_WORDS)}${k >= 300 ? ORG_WORDS[k % ORG_WORDS.length] : ''}`);
    const id = newId();
    orgs.push({ id, name, city: city[0] });
    rowsO.push({
      id,
      name,
      uscc: uscc(k, city[0]),
      type,
      cityCode: city[0],
      affiliation: 'city' as const,
      district: null,
      address: `${city[1]}市高新区科技路${k + 1}号`,
      postalCode: null,
      legalPerson: '张三',
      phone: '0531-88888888',
      website: null,
      intro: null,
      foundedOn: null,
      staffCount: int(20, 5000),
      revenueFen: null,
      isSmallMicro: null,
      isVoucherApplicant: null,
      commitmentAcceptedAt: now,
      bankName: null,
      bankAccount: null,
      bankAccountName: null,
      liaisonName: '李四',
      liaisonPhone: '13900000000',
      liaisonEmail: 'l@example.com',
      state: 'approved' as const,
      rejectReason: null,
      departmentId: depts.get(city[0])!,
      legalUserId: userId,
      pendingChangeJson: null,
      infoUpdatedAt: now,
      submittedAt: now,
      approvedAt: now,
      createdAt: now,
      updatedAt: now,
    });
  }
  for (let k = 0; k < rowsO.length; k += 200)
    await db
      .insertInto('organizations')
      .values(rowsO.slice(k, k + 200))
      .execute();

  const kind = weighted(KINDS);
  const ids: string[] = [];
  let batch: any[] = [];
  let fields: { instrumentId: string; fieldCode: string }[] = [];
  const flush = async () => {
    if (!batch.length) return;
    await db.insertInto('instruments').values(batch).execute();
    if (fields.length) await db.insertInto('instrumentFields').values(fields).execute();
    batch = [];
    fields = [];
  };
  for (let k = 0; k < N; k++) {
    const kd = kind();
    // a few organisations hold many instruments (universities), most a few
    const o = orgs[Math.floor(Math.pow(rnd(), 1.6) * orgs.length)];
    const id = newId();
    const name = pick(kd.names);
    const model = pick(kd.models);
    const manufacturer = pick(kd.makers);
    const specs = [
      ...new Set([pick(kd.specs), pick(kd.specs), pick(GENERIC_SPECS), ...(rnd() < 0.5 ? [pick(GENERIC_SPECS)] : [])]),
    ].join('；');
    const functions = [...new Set([pick(kd.functions), pick(kd.functions), pick(GENERIC_FUNCTIONS)])].join('，');
    const r = rnd();
    const state = r < 0.97 ? 'listed' : r < 0.98 ? 'draft' : r < 0.99 ? 'pending' : 'rejected';
    const year = int(2005, 2024);
    const valueYuan = Math.round(Math.exp(Math.log(200_000) + rnd() * Math.log(150)) / 1000) * 1000;
    const row = {
      id,
      orgId: o.id,
      internalNo: `YQ${String(k).padStart(7, '0')}`,
      name,
      nameEn: rnd() < 0.8 ? kd.en : null,
      categoryCode: kd.code,
      model,
      manufacturer,
      country: null,
      valueFen: rnd() < 0.98 ? valueYuan * 100 : null,
      purchaseDate:
        rnd() < 0.97 ? `${year}-${String(int(1, 12)).padStart(2, '0')}-${String(int(1, 28)).padStart(2, '0')}` : null,
      startUseDate: null,
      source: '购置',
      specs,
      functions,
      serviceContent: null,
      feeStandard: null,
      sharingMode: rnd() < 0.85 ? 'external' : 'internal',
      runStatus: rnd() < 0.8 ? '正常' : pick(['待机', '待机', '偶有故障', '故障频繁', '待修', '待报废']),
      cityCode: rnd() < 0.3 ? null : o.city,
      district: null,
      street: null,
      room: null,
      contactName: '王老师',
      contactPhone: '13905310001',
      contactEmail: null,
      staffJson: '[]',
      state,
      isDisabled: state === 'listed' && rnd() < 0.03,
      rejectReason: null,
      serviceCount: Math.floor(Math.exp(rnd() * 6)) - 1,
      ratingSum: 0,
      ratingCount: 0,
      searchText: '',
      createdBy: null,
      createdAt: now,
      updatedAt: now,
      listedAt: state === 'listed' ? now : null,
    };
    row.searchText = buildSearchText({ ...row, orgName: o.name });
    batch.push(row);
    const nf = int(1, 3);
    for (const f of new Set(Array.from({ length: nf }, () => `F${String(int(1, 10)).padStart(2, '0')}`)))
      fields.push({ instrumentId: id, fieldCode: f });
    ids.push(id);
    if (batch.length === 200) await flush();
  }
  await flush();
  log(`${database.dialect}: ${N} instruments in ${orgCount} organisations written; indexing …`);
  const t0 = Date.now();
  // the catalogue's own indexer: checks every search text and names the listed instruments in a new catalogue version
  for (let k = 0; k < ids.length; k += 2000) {
    await db.transaction().execute((trx) => reindexInstruments(trx, database.dialect, ids.slice(k, k + 2000)));
  }
  const indexS = (Date.now() - t0) / 1000;
  if (database.dialect === 'postgres') await sql`vacuum analyze`.execute(db);
  else await sql`analyze`.execute(db);
  log(`${database.dialect}: indexed in ${indexS.toFixed(1)} s`);
  return { orgs, indexS };
}

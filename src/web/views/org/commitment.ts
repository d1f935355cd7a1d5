/** 承诺书 and 填写说明 of 编辑单位信息 (manual §4.1.1). */
export const COMMITMENT_TITLE = '山东省大型科学仪器设备协作共用网单位入网承诺书';

export const COMMITMENT_INTRO =
  '本单位自愿申请加入山东省大型科学仪器设备协作共用网（以下简称“大仪平台”），已认真阅读国家和山东省关于科研设施与仪器向社会开放共享、科技创新券管理的有关规定，现郑重承诺如下：';

export const COMMITMENT_ITEMS = [
  '信息真实。本单位在大仪平台填报的单位基本信息、账户信息、联络员信息、中小微企业信息及仪器设备信息真实、准确、完整，不存在虚假填报、隐瞒或误导的情形；信息发生变化时及时更新，且至少每年核实更新一次。',
  '开放共享。本单位按照“应开放尽开放”的原则，将符合条件的大型科学仪器设备纳入大仪平台向社会开放共享，如实公布仪器的主要技术指标、服务内容和收费标准，不无故拒绝或拖延合理的共享服务请求。',
  '规范服务。本单位按照公开的收费标准和双方约定提供服务，按时保质完成检测试验，出具真实、规范的检测报告；对服务中知悉的用户技术秘密、样品和数据信息严格保密。',
  '遵守规定。本单位遵守国家和山东省科研设施与仪器开放共享的有关规定及大仪平台各项管理制度，服从科技主管部门的监督管理和考核评价，配合开展检查、抽查和数据核实。',
  '规范使用创新券。本单位依照创新券有关政策申请和使用创新券，提交的服务合同、发票、服务结果证明、科技创新相关性证明等材料真实有效；不以虚构交易、关联交易、拆分合同、虚开发票等方式套取、骗取创新券资金，不转让、买卖创新券或挪作他用，同一服务不重复享受其他财政资金补助。',
  '承担责任。如违反上述承诺，本单位愿意承担相应责任，接受暂停或取消入网资格、追回已兑付的创新券资金、记入科研诚信记录等处理；涉嫌违法的，依法承担法律责任。',
] as const;

/** Every box must be ticked before 下一步. */
export const COMMITMENT_CHECKS = [
  '本单位已认真阅读上述承诺书，保证所填报的信息真实、准确、完整',
  '本单位同意将符合条件的大型科学仪器设备纳入大仪平台开放共享，并按公开标准提供服务',
  '本单位遵守国家和山东省科研设施与仪器开放共享的有关规定及大仪平台管理制度',
  '本单位将依规申请和使用创新券，不以任何方式套取、骗取创新券资金',
] as const;

export const FILLING_RULES: { title: string; text: string }[] = [
  {
    title: '必填项',
    text: '带 * 号的为必填项。点击“保存”可暂存已填写的内容（草稿），点击“提交”后将提交至主管部门审核，审核期间不能修改。',
  },
  {
    title: '单位名称与代码',
    text: '单位名称应与营业执照、事业单位法人证书等证照上的名称一致；统一社会信用代码为 18 位数字或大写字母，系统将自动校验。',
  },
  {
    title: '所在地市与隶属关系',
    text: '省内单位选择所在地市，省外单位选择“省外”。市属单位由所在地市科学技术局审核，省属单位和省外单位由山东省科学技术厅审核。',
  },
  { title: '账户信息', text: '用于创新券兑付等资金往来，账户名称应与单位名称一致，银行账号请仔细核对。' },
  { title: '协作共用联络员', text: '负责本单位仪器共享服务的日常联络，请填写能及时联系到的人员及其手机号、电子邮箱。' },
  {
    title: '中小微企业信息',
    text: '职工人数填写上年末从业人员数；上年营业收入以万元为单位填写。只有所在地市在省内、职工人数 500 人以下、上年营业收入 2 亿元以下且单位性质为企业的，才显示“是否申请创新券”选项。',
  },
  {
    title: '信息变更',
    text: '已入网单位修改职工人数、上年营业收入、是否申请创新券等信息后需重新提交审核，审核通过前仍按原信息执行；其他信息修改后立即生效。',
  },
  { title: '定期更新', text: '单位基本信息超过 365 天未更新的，系统将要求强制更新，更新前无法进行其他操作。' },
];

/** The same texts in English, item by item. */
export const COMMITMENT_EN = {
  title: 'Membership Commitment of the Shandong Large Scientific Instrument Sharing Network',
  intro:
    'Our organisation applies of its own accord to join the Shandong Large Scientific Instrument Sharing Network (the “platform”). We have read the national and Shandong provincial rules on opening research facilities and instruments to society and on innovation vouchers, and we solemnly commit to the following:',
  items: [
    'True information. The organisation, bank account, liaison, SME and instrument information we enter on the platform is true, accurate and complete, with nothing false, hidden or misleading; we update it promptly when it changes, and check it at least once a year.',
    'Open sharing. Following the principle of opening everything that can be opened, we list eligible large instruments on the platform, publish their main specifications, services and fees truthfully, and do not refuse or delay reasonable requests without cause.',
    "Proper service. We serve at the published fees and as agreed, complete tests on time and to standard, issue true and proper reports, and keep the users' technical secrets, samples and data strictly confidential.",
    "Compliance. We follow the national and Shandong rules on sharing research facilities and instruments and the platform's rules, and accept the supervision, assessment, inspections and data checks of the science and technology authorities.",
    'Proper use of innovation vouchers. We apply for and use vouchers under the voucher policy; the contracts, invoices, proofs of service and of relevance to innovation we submit are genuine; we do not obtain voucher funds by fictitious or related-party deals, split contracts or false invoices, do not transfer, sell or divert vouchers, and do not take other public subsidies for the same service.',
    'Responsibility. If we break these commitments, we accept the consequences, including suspension or cancellation of membership, recovery of voucher funds paid and a record in the research integrity system; where the law is broken, we bear the legal liability.',
  ],
  checks: [
    'We have read the commitment above and guarantee that the information we enter is true, accurate and complete',
    'We agree to share eligible large instruments on the platform and to serve at the published fees',
    "We follow the national and Shandong rules on sharing research facilities and instruments and the platform's rules",
    'We will apply for and use innovation vouchers according to the rules and never obtain voucher funds improperly',
  ],
  rules: [
    {
      title: 'Required fields',
      text: 'Fields marked * are required. “Save” keeps what you have entered as a draft; “Submit” sends it to the reviewing department, and it cannot be changed during the review.',
    },
    {
      title: 'Name and code',
      text: 'The name must match the business licence or legal-person certificate; the unified social credit code has 18 digits or capital letters and is checked automatically.',
    },
    {
      title: 'City and affiliation',
      text: "Organisations in Shandong choose their city; others choose “Outside Shandong”. City-affiliated organisations are reviewed by their city's science and technology bureau; province-affiliated and out-of-province ones by the Shandong Provincial Department of Science and Technology.",
    },
    {
      title: 'Bank account',
      text: 'Used for voucher payouts and other payments. The account name must match the organisation name; check the account number carefully.',
    },
    {
      title: 'Sharing liaison',
      text: 'The person who handles instrument sharing day to day: give someone who can be reached, with a mobile number and email.',
    },
    {
      title: 'SME information',
      text: "Staff is the headcount at the end of last year; last year's revenue is in 10,000 yuan. “Applies for innovation vouchers” is shown only to enterprises in Shandong with fewer than 500 staff and less than 200 million yuan revenue.",
    },
    {
      title: 'Changes',
      text: "A member organisation's changes to staff, last year's revenue or the voucher application are reviewed again, and the old values apply until approved; other changes take effect at once.",
    },
    {
      title: 'Yearly update',
      text: 'Organisation details not updated for over 365 days must be updated before anything else can be done.',
    },
  ],
};

/** English of the API's error texts of issue 15's module (see messages-en.ts for the key format). */
import { GRADE_LABEL, INDICATORS } from '../../domain/sharing-indicators';

const GRADE_EN = { excellent: 'excellent', good: 'good', pass: 'pass', poor: 'poor' } as const;

export const EN_STATS: Record<string, string> = {
  // the indicator definitions of the domain core carry their English with them
  ...Object.fromEntries(
    INDICATORS.flatMap((d) => [
      [d.zh, d.en],
      [d.definitionZh, d.definitionEn],
    ]),
  ),
  ...Object.fromEntries(Object.entries(GRADE_LABEL).map(([k, zh]) => [zh, GRADE_EN[k as keyof typeof GRADE_EN]])),
  '年份须在 2000–2100 之间': 'The year must be between 2000 and 2100',
  '城市代码为 6 位数字': 'A city code has 6 digits',
  '分类代码为 2–6 位数字': 'A category code has 2 to 6 digits',
  '{}最多 5000 个字符': '{}: at most 5,000 characters',
  实验技术队伍建设: 'Technical staff',
  统筹管理: 'Management',
  服务成效: 'Outcomes of the services',
  '日期格式为 YYYY-MM-DD': 'Dates are written YYYY-MM-DD',
  请检查评价范围: 'Please check the scope of the evaluation',
  没有这个城市: 'No such city',
  '该年度、该范围的评价已开启': 'An evaluation of this year and scope is open already',
  已开启: 'Open already',
  评价报告: 'Evaluation report',
  '评价报告{}，不能修改': 'The evaluation report is {}; it cannot be changed',
  '评价报告已被修改，请刷新后重试': 'The evaluation report was changed meanwhile; reload and try again',
  请先填写评价报告的说明部分: 'Please fill in the narrative parts of the evaluation report first',
  '评价报告{}，不能评级': 'The evaluation report is {}; it cannot be graded',
  '请在评价报告页面给出评级（优秀、良好、合格或较差）后通过':
    'Give a grade (excellent, good, pass or poor) on the evaluation report page to approve it',
  '有 {} 处必填项缺失或格式不符，请先按校验报告补正':
    '{} required fields are missing or malformed; correct them as the validation report lists first',
  '服务器缺少中文字体，暂不能打印（请安装 fonts-noto-cjk 或设置 PDF_FONT）':
    'The server has no Chinese font, so it cannot print now (install fonts-noto-cjk or set PDF_FONT)',
  待填报: 'to fill in',
  待审核: 'pending review',
  已退回: 'returned',
  已评级: 'graded',
  未通过: 'rejected',
};

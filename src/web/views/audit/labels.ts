import { currentLang } from '@/i18n';
import { AUDIT_EN } from '@/locales/audit';

/** Chinese names for the audit log's action codes, subject kinds and states; `L` gives them in the language shown. */

/** A label of this file in the language shown (the tables below are Chinese). */
export function L(zh: string): string {
  if (currentLang() !== 'en') return zh;
  const all = /^(.+)类全部操作$/.exec(zh);
  if (all) return `All: ${AUDIT_EN[all[1]] ?? all[1]}`;
  const level = /^(.+)（第 (\d+) 级）$/.exec(zh);
  if (level) return `${AUDIT_EN[level[1]] ?? level[1]} (level ${level[2]})`;
  return AUDIT_EN[zh] ?? zh;
}

export const ACTION_LABEL: Record<string, string> = {
  'login.success': '登录成功',
  'login.failed': '登录失败',
  'login.refused_locked': '登录被拒（账号锁定）',
  logout: '退出登录',
  'permission.denied': '越权拒绝',
  'user.register': '用户注册',
  'user.password_changed': '修改密码',
  'user.password_reset_requested': '申请找回密码',
  'user.password_reset': '找回密码',
  'organization.create': '创建单位',
  'organization.save': '保存单位信息',
  'organization.submit': '提交入网申请',
  'organization.update': '更新单位信息',
  'organization.approved': '单位入网通过',
  'organization.rejected': '单位入网未通过',
  'organization.change_approved': '信息变更通过',
  'organization.change_rejected': '信息变更未通过',
  'review.submit': '提交审核',
  'review.approve': '审核通过',
  'review.reject': '审核不通过',
  'review.return': '退回补充材料',
  'review.resubmit': '重新提交审核',
  'review.withdraw': '撤回审核',
  'binding.request': '申请绑定单位',
  'binding.unbind_request': '申请解除绑定',
  'binding.cancel': '撤销绑定申请',
  'binding.approve': '同意绑定申请',
  'binding.reject': '拒绝绑定申请',
  'member.role': '变更成员角色',
  'department_account.create': '新增部门账号',
  'department_account.update': '编辑部门账号',
  'department_account.disable': '停用部门账号',
  'department_account.enable': '启用部门账号',
  'department_account.reset_password': '重置部门账号密码',
};

const FAMILY: Record<string, string> = {
  'user.': '用户账号',
  'organization.': '单位',
  'review.': '审核',
  'binding.': '绑定',
  'department_account.': '部门账号',
};

/** Filter choices. A value ending in '.' matches every action of that family (the server matches by prefix). */
export const ACTION_GROUPS: { label: string; options: { value: string; label: string }[] }[] = [
  {
    label: '登录与账号',
    options: [
      'login.success',
      'login.failed',
      'login.refused_locked',
      'logout',
      'user.',
      'user.register',
      'user.password_changed',
      'user.password_reset',
    ].map(opt),
  },
  { label: '权限', options: ['permission.denied'].map(opt) },
  {
    label: '单位',
    options: [
      'organization.',
      'organization.submit',
      'organization.update',
      'organization.approved',
      'organization.rejected',
      'organization.change_approved',
      'organization.change_rejected',
    ].map(opt),
  },
  {
    label: '审核',
    options: [
      'review.',
      'review.submit',
      'review.approve',
      'review.reject',
      'review.return',
      'review.resubmit',
      'review.withdraw',
    ].map(opt),
  },
  {
    label: '绑定与成员',
    options: [
      'binding.',
      'binding.request',
      'binding.unbind_request',
      'binding.approve',
      'binding.reject',
      'member.role',
    ].map(opt),
  },
  {
    label: '部门账号',
    options: [
      'department_account.',
      'department_account.create',
      'department_account.update',
      'department_account.disable',
      'department_account.enable',
      'department_account.reset_password',
    ].map(opt),
  },
];
function opt(value: string) {
  return { value, label: value.endsWith('.') ? `${FAMILY[value] ?? value}类全部操作` : (ACTION_LABEL[value] ?? value) };
}

export const actionLabel = (code: string) => L(ACTION_LABEL[code] ?? code);

/** How an action is coloured in the table: refusals red, decisions green, the rest neutral. */
export function actionTone(code: string): 'danger' | 'success' | 'warning' | 'info' | 'primary' {
  if (code === 'permission.denied' || code === 'login.failed' || code === 'login.refused_locked') return 'danger';
  if (/\.(reject|rejected|change_rejected|disable)$/.test(code)) return 'warning';
  if (/\.(approve|approved|change_approved|success|enable)$/.test(code)) return 'success';
  if (code.startsWith('review.') || code.startsWith('organization.')) return 'primary';
  return 'info';
}

export const SUBJECT_LABEL: Record<string, string> = {
  organization: '单位入网',
  organization_change: '单位信息变更',
  user: '用户账号',
  binding_request: '绑定申请',
  membership: '单位成员',
  review: '审核事项',
};
export const SUBJECT_OPTIONS = Object.entries(SUBJECT_LABEL).map(([value, label]) => ({ value, label }));

const STATE: Record<string, string> = {
  draft: '草稿',
  pending: '待审核',
  approved: '审核通过',
  rejected: '未通过',
  returned: '已退回',
  withdrawn: '已撤回',
  cancelled: '已取消',
  active: '正常',
  disabled: '已停用',
  member: '单位成员',
  admin: '单位管理员',
  legal: '法人账号',
};
/** 'pending@2' (review state at a level) becomes 待审核（第 2 级）. */
export function stateLabel(s: string | null): string {
  if (!s) return '';
  const [state, level] = s.split('@');
  const name = STATE[state] ?? state;
  return L(level ? `${name}（第 ${level} 级）` : name);
}

/** Labels for keys that often appear in the detail JSON. */
export const DETAIL_KEY: Record<string, string> = {
  reason: '原因',
  reviewId: '审核编号',
  method: '请求方法',
  route: '请求路径',
  kind: '类型',
  orgName: '单位',
  note: '备注',
  username: '用户名',
  departmentId: '部门',
  changed: '变更字段',
  reviewedChange: '需审核的变更',
  userId: '用户',
  realName: '姓名',
  identifier: '登录名',
  mode: '登录方式',
  userAgent: '浏览器',
};

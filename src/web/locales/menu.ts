/** Page and menu titles in English; the Chinese title is the key. */
export default {
  zh: {},
  en: {
    groups: { org: 'Organisation', booking: 'Bookings & services', review: 'Reviews', admin: 'Administration', account: 'Account' },
    titles: {
      我的工作台: 'Dashboard', 修改密码: 'Change password', 单位基本信息: 'Organisation', 编辑单位信息: 'Edit organisation', 绑定单位: 'Bind to organisation',
      绑定审核: 'Binding requests', 成员管理: 'Members', 审核管理: 'Review queue', 审核详情: 'Review', 部门账号: 'Department accounts', 操作日志: 'Audit log',
      我的仪器: 'My instruments', 发布仪器: 'New instrument', 编辑仪器: 'Edit instrument', 批量导入: 'Bulk import', 预选清单: 'Preselection list',
      会员中心: 'Member centre', 首页: 'Home',
    },
  },
};

/** Page and menu titles in English; the Chinese title is the key. */
export default {
  zh: {},
  en: {
    groups: { org: 'Organisation', booking: 'Bookings & services', review: 'Reviews', admin: 'Administration', account: 'Account' },
    titles: {
      我的工作台: 'Dashboard', 修改密码: 'Change password', 单位基本信息: 'Organisation', 编辑单位信息: 'Edit organisation', 绑定单位: 'Bind to organisation',
      绑定审核: 'Binding requests', 成员管理: 'Members', 审核管理: 'Review queue', 审核详情: 'Review', 部门账号: 'Department accounts', 操作日志: 'Audit log',
      我的仪器: 'My instruments', 发布仪器: 'New instrument', 编辑仪器: 'Edit instrument', 批量导入: 'Bulk import', 预选清单: 'Preselection list',
      我的预约: 'My bookings', 我的被预约: 'Bookings received', 填写预约单: 'New booking', 编辑预约单: 'Edit booking', 预约详情: 'Booking',
      检测结果登记: 'Register results', 结算: 'Settlement', 消息中心: 'Messages',
      我的创新券: 'My vouchers', 兑付申请详情: 'Voucher claim', 创新券统计: 'Voucher statistics', 兑付批次: 'Payout batches', 兑付批次详情: 'Payout batch',
      创新券政策: 'Voucher policy', 创新券真伪验证: 'Verify a voucher',
      我的需求: 'My posts', 新增供需信息: 'New post', 编辑供需信息: 'Edit post', 供需信息: 'Supply & demand', 供需详情: 'Post', 通知公告: 'Notices', 公告详情: 'Notice',
      用户管理: 'Users', 基础数据: 'Reference data', 站点设置: 'Site settings', 通知公告管理: 'Manage notices',
      会员中心: 'Member centre', 首页: 'Home',
    },
  },
};

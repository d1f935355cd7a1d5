export default {
  zh: {
    siteName: '山东省大型科学仪器设备协作共用网',
    operator: '山东省科学技术厅',
    nav: { home: '首页', instruments: '入网仪器', posts: '供需信息', member: '会员中心' },
    login: '登录', register: '注册', logout: '退出', messages: '消息', notBound: '未绑定单位',
    save: '保存', submit: '提交', cancel: '取消', confirm: '确定', search: '查询', reset: '重置', back: '返回', edit: '编辑', view: '查看', actions: '操作',
    retry: '重试', loadFailed: '加载失败', empty: '暂无数据', required: '必填', yes: '是', no: '否',
    breadcrumbHome: '首页', memberCentre: '会员中心', reviewConsole: '审核管理', systemAdmin: '系统管理',
    footer: { dept: '主办单位：山东省科学技术厅', support: '技术支持：山东省科技服务平台', contact: '联系电话：0531-12345678', notice: '通知公告', address: '地址：济南市历下区解放路 1 号' },
    lang: 'English',
  },
  en: {
    siteName: 'Shandong Large Scientific Instrument Sharing Network',
    operator: 'Shandong Provincial Department of Science and Technology',
    nav: { home: 'Home', instruments: 'Instruments', posts: 'Supply & Demand', member: 'Member Centre' },
    login: 'Log in', register: 'Register', logout: 'Log out', messages: 'Messages', notBound: 'No organisation',
    save: 'Save', submit: 'Submit', cancel: 'Cancel', confirm: 'OK', search: 'Search', reset: 'Reset', back: 'Back', edit: 'Edit', view: 'View', actions: 'Actions',
    retry: 'Retry', loadFailed: 'Failed to load', empty: 'No data', required: 'Required', yes: 'Yes', no: 'No',
    breadcrumbHome: 'Home', memberCentre: 'Member Centre', reviewConsole: 'Review', systemAdmin: 'Administration',
    footer: { dept: 'Run by the Shandong Provincial Department of Science and Technology', support: 'Technical support: Shandong S&T Service Platform', contact: 'Tel: 0531-12345678', notice: 'Notices', address: 'No. 1 Jiefang Road, Jinan' },
    lang: '中文',
  },
};

/** 统一身份认证: linked identities and linking (issue 13). */
export default {
  zh: {
    title: '统一身份认证',
    intro:
      '关联后，可使用山东省政务服务网账号直接登录本平台。关联前需先用本平台账号登录（即当前登录），并在认证平台重新登录确认；一个账号只能关联一个统一身份认证账号。',
    none: '本账号尚未关联统一身份认证账号',
    provider: '认证平台',
    kind: '账号类型',
    kinds: { person: '个人', legal: '法人' },
    linkedAt: '关联时间',
    lastLogin: '最近登录',
    never: '尚未使用',
    link: '关联{name}账号',
    confirmTitle: '确认关联',
    confirm:
      '将跳转到{name}，请用您本人的账号重新登录。登录成功后，该账号将与当前本平台账号关联，此后可直接用它登录。确定继续吗？',
    go: '继续',
    cancel: '取消',
    linked: '已关联统一身份认证账号',
    noProvider: '本平台未配置统一身份认证',
  },
  en: {
    titles: { 统一身份认证: 'Unified identity' },
    title: 'Unified identity',
    intro:
      'Once linked, you can log in with your Shandong government services account. To link, you log in with your platform account (as now) and log in again at the identity service to confirm; an account links one identity only.',
    none: 'No unified identity is linked to this account yet',
    provider: 'Identity service',
    kind: 'Account type',
    kinds: { person: 'Person', legal: 'Legal person' },
    linkedAt: 'Linked',
    lastLogin: 'Last login',
    never: 'Not used yet',
    link: 'Link a {name} account',
    confirmTitle: 'Confirm linking',
    confirm:
      'You will go to {name}; log in there with your own account. After that, it is linked to this platform account and you can log in with it. Continue?',
    go: 'Continue',
    cancel: 'Cancel',
    linked: 'The unified identity is linked',
    noProvider: 'No unified identity service is configured on this platform',
  },
};

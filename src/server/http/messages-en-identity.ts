/** English of the API's error texts of issue 13's module (see messages-en.ts for the key format). */
export const EN_IDENTITY: Record<string, string> = {
  未配置该统一身份认证: 'This unified identity provider is not configured',
  '单位名称和统一社会信用代码由统一身份认证提供，不能修改':
    'The organisation name and USCC come from the unified identity login and cannot be changed',
  须与统一身份认证的统一社会信用代码一致: 'Must equal the USCC from the unified identity login',
  须与统一身份认证的单位名称一致: 'Must equal the organisation name from the unified identity login',
  '本平台不开放本地注册，请通过统一身份认证登录':
    'Registration on this platform is closed. Please log in through the unified identity login',
  '本平台已关闭个人与法人的本地账号登录，请通过统一身份认证登录':
    'Local login for persons and legal persons is switched off. Please log in through the unified identity login',
  须为本站路径: 'Must be a path on this site',
  '须为可见 ASCII 字符': 'Must be printable ASCII characters',
};

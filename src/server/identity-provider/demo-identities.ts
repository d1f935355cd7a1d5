import { DEMO_IDENTITY, DEMO_PASSWORD, demoUscc, ORGS } from '../db/seed-demo';

/** An account at the local identity provider (the province's 统一身份认证 stand-in of `npm run idp` and the tests). */
export interface DemoIdentity {
  /** what is typed into the provider's login page (a legal person may also type its USCC) */
  login: string;
  sub: string;
  kind: 'person' | 'legal';
  claims: Record<string, string>;
}

export const IDP_PASSWORD = DEMO_PASSWORD;

const person = (login: string, name: string, mobile: string, idCard: string): DemoIdentity => ({
  login,
  sub: `p-${login}`,
  kind: 'person',
  claims: { name, phone_number: mobile, id_card_number: idCard },
});
const legal = (login: string, orgName: string, uscc: string): DemoIdentity => ({
  login,
  sub: `l-${login}`,
  kind: 'legal',
  claims: { name: orgName, org_name: orgName, uscc },
});

/** A USCC whose check character is wrong (the refusal case). */
function badCheckChar(code: string) {
  return code.slice(0, 17) + (code[17] === '0' ? '1' : '0');
}

export function demoIdentities(): DemoIdentity[] {
  return [
    person('zhaomin', '赵敏', '13900000011', '370102199001011234'),
    person('sunli', '孙丽', '13900000012', '370102199202022345'),
    // seed-demo links this subject to 李娜's local account (DEMO_IDENTITY), as after she linked it once
    { ...person('lina', '李娜', '13800000002', '370102198803033456'), sub: DEMO_IDENTITY.memberSubject },
    ...ORGS.map((o) => legal(o.key, o.name, demoUscc(o.type === 'enterprise' ? '91' : '12', o.city, o.key))),
    legal('newco', '济南新材检测技术有限公司', demoUscc('91', '370100', 'newco')),
    legal('badco', '校验码错误的测试单位', badCheckChar(demoUscc('91', '370100', 'badco'))),
  ];
}

export function findDemoIdentity(identities: DemoIdentity[], login: string) {
  const key = login.trim();
  return identities.find((i) => i.login === key || (i.kind === 'legal' && i.claims.uscc === key.toUpperCase()));
}

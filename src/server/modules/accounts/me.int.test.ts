import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/harness';
import { addMember, as, makeOrg } from '../../test/factories';

/** /api/auth/me tells the web app whether the organisation can use innovation vouchers (我的创新券 in the menu). */
describe('the session says whether the organisation can use vouchers', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  it('an enterprise that applies for vouchers can; one that does not, and an institute, cannot', async () => {
    const cases = [
      { o: { type: 'enterprise', isVoucherApplicant: true }, can: true },
      { o: { type: 'enterprise', isVoucherApplicant: false }, can: false },
      { o: { type: 'institute', isVoucherApplicant: null }, can: false },
    ];
    for (const { o, can } of cases) {
      const { org } = await makeOrg(t, o);
      const member = await addMember(t, org.id, 'admin');
      const me = (await (await as(t, member)).get('/api/auth/me')).data;
      expect(me.org.id, JSON.stringify(o)).toBe(org.id);
      expect(me.org.canUseVouchers, JSON.stringify(o)).toBe(can);
    }
  });
});

import { test } from './fixtures';
import { loginAs, pathsFor, ROLES } from './site-map';

// Every page as a visitor and as each demo role, at 1440 px: the fixture analyses each with axe once it has settled
// (a serious or critical finding fails it; A11Y_ENFORCE=0 only writes them to <outputDir>/a11y.json).
test.use({ viewport: { width: 1440, height: 900 } });

for (const role of ROLES) {
  test(`axe on every page as ${role.key}`, async ({ page }) => {
    test.setTimeout(300_000);
    await loginAs(page, role);
    for (const path of await pathsFor(page, role)) await page.goto(path);
  });
}

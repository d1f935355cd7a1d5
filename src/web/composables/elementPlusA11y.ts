import { i18n } from '@/i18n';

const t = (key: string) => (i18n.global as unknown as { t: (k: string) => string }).t(key);

/**
 * Two gaps of Element Plus' markup that axe reports, closed where they appear rather than by wrapping each control:
 * - the pagination's page-size select has no name (a critical "unlabelled field" on every list page): it is named,
 *   and named again when the language changes (每页条数 / Items per page);
 * - a filterable cascader sets `aria-expanded` on its plain text input (a critical "attribute not allowed"): the
 *   input is what the attribute says, a combobox, and gets that role.
 */
export function patchElementPlusA11y(root: HTMLElement = document.body) {
  const apply = () => {
    const label = t('common.pager.size');
    root
      .querySelectorAll<HTMLElement>('.el-pagination__sizes input, .el-pagination__sizes [role="combobox"]')
      .forEach((el) => {
        if (el.getAttribute('aria-label') !== label) el.setAttribute('aria-label', label);
      });
    root
      .querySelectorAll<HTMLElement>('.el-cascader input[aria-expanded]:not([role])')
      .forEach((el) => el.setAttribute('role', 'combobox'));
  };
  let queued = false;
  const observer = new MutationObserver(() => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      apply();
    });
  });
  observer.observe(root, { childList: true, subtree: true, attributes: true, attributeFilter: ['aria-expanded'] });
  apply();
  return { apply, stop: () => observer.disconnect() };
}

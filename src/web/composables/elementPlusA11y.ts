import { i18n } from '@/i18n';

const t = (key: string) => (i18n.global as unknown as { t: (k: string) => string }).t(key);

/**
 * Element Plus' pagination renders its page-size select without a name (axe: a critical "unlabelled field" on every
 * list page). Rather than wrap each list's `el-pagination`, this names every such field when it appears, and names
 * it again when the language changes: 每页条数 / Items per page.
 */
export function labelPagers(root: HTMLElement = document.body) {
  const apply = () => {
    const label = t('common.pager.size');
    root
      .querySelectorAll<HTMLElement>('.el-pagination__sizes input, .el-pagination__sizes [role="combobox"]')
      .forEach((el) => {
        if (el.getAttribute('aria-label') !== label) el.setAttribute('aria-label', label);
      });
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
  observer.observe(root, { childList: true, subtree: true });
  apply();
  return { apply, stop: () => observer.disconnect() };
}

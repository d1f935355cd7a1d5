import { onBeforeUnmount, onMounted } from 'vue';
import { onBeforeRouteLeave } from 'vue-router';
import { ElMessageBox } from 'element-plus';
import { i18n } from '@/i18n';

const t = (key: string) => (i18n.global as unknown as { t: (k: string) => string }).t(key);

/** Asks "有未保存的修改，确定离开吗？"; resolves true when the user chooses to leave. */
export const confirmLeave = () =>
  ElMessageBox.confirm(t('common.unsaved.message'), t('common.unsaved.title'), {
    type: 'warning',
    confirmButtonText: t('common.unsaved.leave'),
    cancelButtonText: t('common.unsaved.stay'),
  }).then(
    () => true,
    () => false,
  );

/**
 * Asks before leaving a form with unsaved changes: on a route change (a confirm box) and when the tab is closed or
 * reloaded (the browser's own `beforeunload` prompt). Call it in a page's `setup` with a function that says whether
 * the form differs from what was saved; after a successful save, make it return false (or call `release()` before
 * navigating away on purpose).
 *
 *   const { release } = useUnsavedChanges(() => JSON.stringify(form) !== saved.value);
 */
export function useUnsavedChanges(isDirty: () => boolean) {
  let released = false;
  const dirty = () => !released && isDirty();
  onBeforeRouteLeave(async () => {
    if (!dirty()) return true;
    return confirmLeave();
  });
  const onUnload = (e: BeforeUnloadEvent) => {
    if (!dirty()) return;
    e.preventDefault();
    e.returnValue = '';
  };
  onMounted(() => window.addEventListener('beforeunload', onUnload));
  onBeforeUnmount(() => window.removeEventListener('beforeunload', onUnload));
  return {
    /** Lets the next navigation pass without asking (e.g. right after a save that leaves the page). */
    release() {
      released = true;
    },
    /** Asks again from now on. */
    hold() {
      released = false;
    },
  };
}

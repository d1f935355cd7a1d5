import { ref } from 'vue';
import { useRouter } from 'vue-router';
import { ElMessageBox } from 'element-plus';
import { ApiError } from '@/api/client';
import { i18n } from '@/i18n';
import { toastError } from './forms';

const t = (k: string) => (i18n.global as unknown as { t: (k: string) => string }).t(k);

/** Asks before something that cannot be undone; resolves true when confirmed. `danger` paints the button red. */
export const confirmAction = (message: string, title: string, button: string, danger = false) =>
  ElMessageBox.confirm(message, title, {
    type: 'warning',
    confirmButtonText: button,
    cancelButtonText: t('common.cancel'),
    confirmButtonClass: danger ? 'el-button--danger' : undefined,
  }).then(
    () => true,
    () => false,
  );

/**
 * Runs a row's action with the row marked busy, shows a failure, and reloads the list afterwards. With `offerEdit`,
 * a refusal that names fields (an incomplete record at 提交) offers to open the form instead.
 */
export function useRowRunner(o: { editPath: (id: string) => string; after: () => void }) {
  const router = useRouter();
  const busy = ref<string | null>(null);
  async function run(id: string, work: () => Promise<void>, offerEdit = false) {
    busy.value = id;
    try {
      await work();
    } catch (e) {
      if (offerEdit && e instanceof ApiError && Object.keys(e.fields).length) {
        const go = await ElMessageBox.confirm(e.message, t('common.errors.incomplete'), {
          type: 'warning',
          confirmButtonText: t('common.errors.complete'),
          cancelButtonText: t('common.close'),
        }).then(
          () => true,
          () => false,
        );
        if (go) {
          await router.push(o.editPath(id));
          return;
        }
      } else {
        toastError(e);
      }
    } finally {
      busy.value = null;
    }
    o.after();
  }
  return { busy, run };
}

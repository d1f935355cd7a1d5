import { reactive } from 'vue';
import { ElMessage } from 'element-plus';
import { ApiError } from '@/api/client';
import { i18n } from '@/i18n';

const failed = () => (i18n.global as unknown as { t: (k: string) => string }).t('common.errors.failed');

/** Server field errors shown under the fields they name; nothing the user typed is lost. */
export function useFieldErrors() {
  const errors = reactive<Record<string, string>>({});
  function clear() {
    for (const k of Object.keys(errors)) delete errors[k];
  }
  function take(e: unknown) {
    clear();
    if (e instanceof ApiError) {
      for (const [k, v] of Object.entries(e.fields)) errors[k.replace(/^body\./, '')] = v;
      ElMessage.error(e.message);
    } else {
      ElMessage.error(failed());
    }
  }
  return { errors, clear, take };
}

/** Shows an API error as a toast. */
export function toastError(e: unknown) {
  ElMessage.error(e instanceof ApiError ? e.message : failed());
}

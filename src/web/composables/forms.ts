import { reactive } from 'vue';
import { ElMessage } from 'element-plus';
import { ApiError } from '@/api/client';

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
      ElMessage.error('操作失败，请稍后再试');
    }
  }
  return { errors, clear, take };
}

/** Shows an API error as a toast. */
export function toastError(e: unknown) {
  ElMessage.error(e instanceof ApiError ? e.message : '操作失败，请稍后再试');
}

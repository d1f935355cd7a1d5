import { reactive, ref } from 'vue';
import { ApiError, type Page } from '@/api/client';
import { i18n } from '@/i18n';

/** A server-paged list with loading and error states. */
export function usePaged<T, F extends Record<string, unknown>>(
  fetch: (q: F & { page: number; pageSize: number }) => Promise<Page<T>>,
  filters: F,
  pageSize = 20,
) {
  const items = ref<T[]>([]) as { value: T[] };
  const total = ref(0);
  const loading = ref(false);
  const error = ref<string | null>(null);
  const pager = reactive({ page: 1, pageSize });
  async function load() {
    loading.value = true;
    error.value = null;
    try {
      const r = await fetch({ ...filters, page: pager.page, pageSize: pager.pageSize });
      items.value = r.items;
      total.value = r.total;
    } catch (e) {
      error.value =
        e instanceof ApiError
          ? e.message
          : (i18n.global as unknown as { t: (k: string) => string }).t('common.loadFailed');
    } finally {
      loading.value = false;
    }
  }
  function search() {
    pager.page = 1;
    return load();
  }
  return { items, total, loading, error, pager, load, search };
}

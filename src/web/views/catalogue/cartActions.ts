import { ref } from 'vue';
import { useRoute, useRouter } from 'vue-router';
import { ElMessage, ElMessageBox } from 'element-plus';
import { toastError } from '@/composables/forms';
import { i18n } from '@/i18n';
import { useCart } from '@/stores/cart';
import { useSession } from '@/stores/session';

const t = (key: string, named?: Record<string, unknown>) =>
  (i18n.global as unknown as { t: (k: string, n?: Record<string, unknown>) => string }).t(key, named ?? {});

/** 加入预选 from the catalogue, the detail page and the home page: asks a visitor to log in first. */
export function useAddToCart() {
  const session = useSession();
  const cart = useCart();
  const route = useRoute();
  const router = useRouter();
  const busy = ref(false);

  async function add(ids: string[]): Promise<boolean> {
    if (!ids.length) {
      ElMessage.warning(t('catalogue.cart.pickFirst'));
      return false;
    }
    if (!session.loggedIn) {
      const go = await ElMessageBox.confirm(t('catalogue.cart.loginText'), t('catalogue.cart.loginTitle'), {
        confirmButtonText: t('catalogue.cart.login'),
        cancelButtonText: t('catalogue.cart.cancel'),
        type: 'info',
      }).then(
        () => true,
        () => false,
      );
      if (go) await router.push({ path: '/login', query: { redirect: route.fullPath } });
      return false;
    }
    if (!session.has('person')) {
      ElMessage.warning(t('catalogue.cart.personOnly'));
      return false;
    }
    busy.value = true;
    try {
      await cart.ensure();
      const r = await cart.add(ids);
      if (r.added)
        ElMessage.success(
          r.added < ids.length
            ? t('catalogue.cart.addedSome', { n: r.added, old: ids.length - r.added, total: r.total })
            : t('catalogue.cart.added', { n: r.added, total: r.total }),
        );
      else ElMessage.info(t(ids.length > 1 ? 'catalogue.cart.allIn' : 'catalogue.cart.oneIn'));
      return true;
    } catch (e) {
      toastError(e);
      return false;
    } finally {
      busy.value = false;
    }
  }
  return { add, busy, cart };
}

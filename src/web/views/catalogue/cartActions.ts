import { ref } from 'vue';
import { useRoute, useRouter } from 'vue-router';
import { ElMessage, ElMessageBox } from 'element-plus';
import { toastError } from '@/composables/forms';
import { useCart } from '@/stores/cart';
import { useSession } from '@/stores/session';

/** 加入预选 from the catalogue, the detail page and the home page: asks a visitor to log in first. */
export function useAddToCart() {
  const session = useSession();
  const cart = useCart();
  const route = useRoute();
  const router = useRouter();
  const busy = ref(false);

  async function add(ids: string[]): Promise<boolean> {
    if (!ids.length) {
      ElMessage.warning('请先勾选要加入预选清单的仪器');
      return false;
    }
    if (!session.loggedIn) {
      const go = await ElMessageBox.confirm(
        '登录后即可把仪器加入预选清单，并按单位批量预约。是否现在登录？',
        '请先登录',
        { confirmButtonText: '去登录', cancelButtonText: '取消', type: 'info' },
      ).then(
        () => true,
        () => false,
      );
      if (go) await router.push({ path: '/login', query: { redirect: route.fullPath } });
      return false;
    }
    if (!session.has('person')) {
      ElMessage.warning('预选清单供个人用户使用，当前账号不能加入预选');
      return false;
    }
    busy.value = true;
    try {
      await cart.ensure();
      const r = await cart.add(ids);
      if (r.added)
        ElMessage.success(
          `已加入预选清单 ${r.added} 台${r.added < ids.length ? `（${ids.length - r.added} 台此前已加入）` : ''}，清单共 ${r.total} 台`,
        );
      else ElMessage.info(ids.length > 1 ? '所选仪器均已在预选清单中' : '该仪器已在预选清单中');
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

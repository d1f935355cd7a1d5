import { reactive } from 'vue';
import { useRouter } from 'vue-router';
import { ElMessage, ElMessageBox } from 'element-plus';
import { ApiError, del, get, post } from '@/api/client';
import { toastError } from '@/composables/forms';
import { confirmAction as confirm } from '@/composables/rowActions';
import type { BookingSaveReplyT, LiabilityT } from './shared';

interface Target {
  id: string;
  no: string;
}

/**
 * The consumer's actions on a whole booking, shared by 我的预约 and the detail page: 提交 (after the 责任说明),
 * 撤回 and 删除, each confirmed. `after` runs when something changed, or when a 409 says someone acted first.
 */
export function useConsumerActions(after: () => void | Promise<void>) {
  const router = useRouter();
  const liability = reactive({ open: false, text: null as string | null, busy: false, target: null as Target | null });

  async function conflictOr(e: unknown) {
    if (e instanceof ApiError && e.status === 409) {
      await ElMessageBox.alert(e.message, '预约单状态已变化', { type: 'warning', confirmButtonText: '知道了' }).catch(
        () => undefined,
      );
      await after();
      return;
    }
    toastError(e);
  }

  /** 提交: the 责任说明 in force first (the booking's own text when it has one). */
  async function submit(t: Target, text?: string | null) {
    liability.target = t;
    liability.text = text ?? null;
    liability.open = true;
    if (!liability.text) {
      try {
        liability.text = (await get<LiabilityT>('/bookings/liability')).text;
      } catch (e) {
        liability.open = false;
        toastError(e);
      }
    }
  }
  async function acceptAndSubmit() {
    const t = liability.target;
    if (!t) return;
    liability.busy = true;
    try {
      await post<BookingSaveReplyT>(`/bookings/${t.id}/submit`, { liabilityAccepted: true });
      liability.open = false;
      ElMessage.success(`预约单 ${t.no} 已提交，等待受托方受理`);
      await after();
    } catch (e) {
      liability.open = false;
      // an incomplete draft: say what is missing and offer the form
      if (e instanceof ApiError && Object.keys(e.fields).length) {
        const go = await ElMessageBox.confirm(e.message, '信息不完整，不能提交', {
          type: 'warning',
          confirmButtonText: '去完善',
          cancelButtonText: '关闭',
        }).then(
          () => true,
          () => false,
        );
        if (go) await router.push(`/member/bookings/${t.id}/edit`);
      } else {
        await conflictOr(e);
      }
    } finally {
      liability.busy = false;
    }
  }

  async function withdraw(t: Target) {
    if (
      !(await confirm(`确定撤回预约单 ${t.no} 吗？撤回后预约结束，如需检测请重新预约。`, '撤回预约', '确定撤回', true))
    )
      return;
    try {
      await post(`/bookings/${t.id}/withdraw`, {});
      ElMessage.success('已撤回');
      await after();
    } catch (e) {
      await conflictOr(e);
    }
  }

  async function remove(t: Target): Promise<boolean> {
    if (!(await confirm(`确定删除预约单 ${t.no} 吗？删除后不可恢复。`, '删除预约单', '确定删除', true))) return false;
    try {
      await del(`/bookings/${t.id}`);
      ElMessage.success('已删除');
      return true;
    } catch (e) {
      await conflictOr(e);
      return false;
    }
  }

  return { liability, submit, acceptAndSubmit, withdraw, remove };
}

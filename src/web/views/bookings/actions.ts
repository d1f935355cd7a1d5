import { reactive } from 'vue';
import { useRouter } from 'vue-router';
import { ElMessage, ElMessageBox } from 'element-plus';
import { useI18n } from 'vue-i18n';
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
  const { t } = useI18n();
  const liability = reactive({ open: false, text: null as string | null, busy: false, target: null as Target | null });

  async function conflictOr(e: unknown) {
    if (e instanceof ApiError && e.status === 409) {
      await ElMessageBox.alert(e.message, t('bookings.cons.changed'), {
        type: 'warning',
        confirmButtonText: t('bookings.cons.gotIt'),
      }).catch(() => undefined);
      await after();
      return;
    }
    toastError(e);
  }

  /** 提交: the 责任说明 in force first (the booking's own text when it has one). */
  async function submit(b: Target, text?: string | null) {
    liability.target = b;
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
    const b = liability.target;
    if (!b) return;
    liability.busy = true;
    try {
      await post<BookingSaveReplyT>(`/bookings/${b.id}/submit`, { liabilityAccepted: true });
      liability.open = false;
      ElMessage.success(t('bookings.cons.submitted', { no: b.no }));
      await after();
    } catch (e) {
      liability.open = false;
      // an incomplete draft: say what is missing and offer the form
      if (e instanceof ApiError && Object.keys(e.fields).length) {
        const go = await ElMessageBox.confirm(e.message, t('bookings.cons.incomplete'), {
          type: 'warning',
          confirmButtonText: t('bookings.cons.complete'),
          cancelButtonText: t('bookings.cons.close'),
        }).then(
          () => true,
          () => false,
        );
        if (go) await router.push(`/member/bookings/${b.id}/edit`);
      } else {
        await conflictOr(e);
      }
    } finally {
      liability.busy = false;
    }
  }

  async function withdraw(b: Target) {
    if (
      !(await confirm(
        t('bookings.cons.withdrawAsk', { no: b.no }),
        t('bookings.cons.withdrawTitle'),
        t('bookings.cons.withdrawOk'),
        true,
      ))
    )
      return;
    try {
      await post(`/bookings/${b.id}/withdraw`, {});
      ElMessage.success(t('bookings.cons.withdrawn'));
      await after();
    } catch (e) {
      await conflictOr(e);
    }
  }

  async function remove(b: Target): Promise<boolean> {
    if (
      !(await confirm(
        t('bookings.cons.deleteAsk', { no: b.no }),
        t('bookings.cons.deleteTitle'),
        t('bookings.cons.deleteOk'),
        true,
      ))
    )
      return false;
    try {
      await del(`/bookings/${b.id}`);
      ElMessage.success(t('bookings.cons.deleted'));
      return true;
    } catch (e) {
      await conflictOr(e);
      return false;
    }
  }

  return { liability, submit, acceptAndSubmit, withdraw, remove };
}

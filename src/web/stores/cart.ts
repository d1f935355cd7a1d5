import { defineStore } from 'pinia';
import type { z } from 'zod';
import { get, post } from '@/api/client';
import type { CartAddReply, CartView } from '@contracts/cart';
import { useSession } from './session';

export type CartViewT = z.infer<typeof CartView>;
export type CartAddReplyT = z.infer<typeof CartAddReply>;

/**
 * 预选清单 at a glance: how many instruments a person keeps, and which, for the floating button's badge and
 * the 已加入预选 state of catalogue results. The list itself is read by the cart page.
 */
export const useCart = defineStore('cart', {
  state: () => ({ total: 0, ids: [] as string[], loaded: false, owner: null as string | null }),
  getters: {
    has: (s) => (id: string) => s.ids.includes(id),
  },
  actions: {
    /** Re-reads the list when the viewer may keep one; forgets it otherwise (visitor, logged out, department). */
    async refresh() {
      const session = useSession();
      if (!session.loggedIn || !session.has('person')) {
        this.reset();
        return;
      }
      this.apply(await get<CartViewT>('/cart'));
    },
    /** Reads the list once per person; cheap to call on every page that shows the badge. */
    async ensure() {
      const session = useSession();
      if (this.loaded && this.owner === (session.user?.id ?? null)) return;
      await this.refresh().catch(() => undefined);
    },
    apply(v: CartViewT) {
      this.ids = v.groups.flatMap((g) => g.items.map((i) => i.instrumentId));
      this.total = v.total;
      this.loaded = true;
      this.owner = useSession().user?.id ?? null;
    },
    async add(instrumentIds: string[]) {
      const r = await post<CartAddReplyT>('/cart', { instrumentIds });
      this.ids = [...new Set([...this.ids, ...instrumentIds])];
      this.total = r.total;
      return r;
    },
    /** After a removal elsewhere: the server's new total and the ids that left. */
    removed(instrumentIds: string[], total: number) {
      const gone = new Set(instrumentIds);
      this.ids = this.ids.filter((id) => !gone.has(id));
      this.total = total;
    },
    reset() {
      this.total = 0;
      this.ids = [];
      this.loaded = false;
      this.owner = null;
    },
  },
});

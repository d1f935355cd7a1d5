import { defineStore } from 'pinia';
import { get, post } from '@/api/client';
import type { MeT } from '@contracts/accounts';

export const useSession = defineStore('session', {
  state: () => ({ me: null as MeT | null, loaded: false }),
  getters: {
    user: (s) => s.me?.user ?? null,
    roles: (s) => s.me?.roles ?? ['visitor'],
    org: (s) => s.me?.org ?? null,
    department: (s) => s.me?.department ?? null,
    loggedIn: (s) => !!s.me?.user,
  },
  actions: {
    async refresh() {
      this.me = await get<MeT>('/auth/me');
      this.loaded = true;
      return this.me;
    },
    /** Ends the session; a session from the unified identity login also names the provider's 退出 page to go to. */
    async logout(): Promise<string | null> {
      const r = await post<{ redirect: string | null }>('/identity/logout');
      await this.refresh();
      return r.redirect;
    },
    has(...roles: string[]) {
      return roles.some((r) => this.roles.includes(r));
    },
  },
});

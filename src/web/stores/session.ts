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
    async logout() {
      await post('/auth/logout');
      await this.refresh();
    },
    has(...roles: string[]) {
      return roles.some((r) => this.roles.includes(r));
    },
  },
});

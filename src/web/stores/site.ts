import { defineStore } from 'pinia';
import { get } from '@/api/client';

export interface SiteInfo { siteName: string; operator: string; phone: string; email: string; address: string; support: string; icp: string }

export const useSite = defineStore('site', {
  state: () => ({ info: null as SiteInfo | null }),
  actions: {
    async load() {
      if (!this.info) this.info = await get<SiteInfo>('/site').catch(() => null);
      return this.info;
    },
  },
});

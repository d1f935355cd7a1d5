import { defineStore } from 'pinia';
import { get } from '@/api/client';

/** GET /api/site: the texts of the header and footer, from the site settings (系统管理 › 站点设置). */
export interface SiteInfo {
  siteName: string;
  logoText?: string;
  province?: string;
  operator: string;
  phone: string;
  email: string;
  address: string;
  support: string;
  icp: string;
}

export const useSite = defineStore('site', {
  state: () => ({ info: null as SiteInfo | null }),
  actions: {
    async load() {
      if (!this.info) this.info = await get<SiteInfo>('/site').catch(() => null);
      return this.info;
    },
    /** Read again after the settings were changed. */
    async reload() {
      this.info = await get<SiteInfo>('/site').catch(() => this.info);
      return this.info;
    },
  },
});

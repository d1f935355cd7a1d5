import { z } from 'zod';
import type { Deps } from '../../deps';

export const SiteInfo = z.object({
  siteName: z.string(),
  logoText: z.string(),
  province: z.string(),
  operator: z.string(),
  phone: z.string(),
  email: z.string(),
  address: z.string(),
  support: z.string(),
  icp: z.string(),
});
export type SiteInfoT = z.infer<typeof SiteInfo>;

/** Site settings with defaults; rows in `site_settings` (key 'site') override them. */
export async function siteInfo(deps: Deps): Promise<SiteInfoT> {
  const row = await deps.database.db
    .selectFrom('siteSettings')
    .select('valueJson')
    .where('key', '=', 'site')
    .executeTakeFirst();
  const stored = (typeof row?.valueJson === 'string' ? JSON.parse(row.valueJson) : row?.valueJson) ?? {};
  return {
    siteName: deps.config.SITE_NAME,
    logoText: '大仪共享',
    province: '山东省',
    operator: '山东省科学技术厅',
    phone: '0531-51751234',
    email: 'dayi@kjt.shandong.example.cn',
    address: '济南市历下区解放路 1 号',
    support: '山东省科技服务平台运营中心',
    icp: '鲁ICP备00000000号',
    ...stored,
  };
}

/** 站点设置: stored as one row (key 'site'); the defaults above fill what was never set. */
export async function saveSiteInfo(deps: Deps, value: SiteInfoT) {
  const json = JSON.stringify(value);
  await deps.database.db
    .insertInto('siteSettings')
    .values({ key: 'site', valueJson: json })
    .onConflict((oc) => oc.column('key').doUpdateSet({ valueJson: json }))
    .execute();
  return siteInfo(deps);
}

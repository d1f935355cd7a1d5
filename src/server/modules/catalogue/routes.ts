import type { FastifyInstance } from 'fastify';
import {
  CatalogueOrgsPage,
  CatalogueOrgsQuery,
  CataloguePage,
  CatalogueQuery,
  FacetsReference,
} from '../../../contracts/catalogue';
import type { Deps } from '../../deps';
import { typed } from '../../http/route';
import { startCatalogue, stopCatalogue } from './feed';
import * as svc from './service';

export async function catalogueRoutes(app: FastifyInstance, deps: Deps) {
  const r = typed(app);
  const tags = ['catalogue'];
  // the catalogue is built in memory at start and kept current from the change feed (feed.ts); /api/ready tells
  startCatalogue(deps.database.db, { cache: deps.config.CATALOGUE_CACHE === 'on' });
  app.addHook('onClose', async () => stopCatalogue(deps.database.db));

  r.get(
    '/catalogue/instruments',
    {
      config: { policy: 'public' },
      schema: {
        tags,
        summary: '入网仪器（按仪器）：关键词、筛选与计数、排序、翻页',
        querystring: CatalogueQuery,
        response: { 200: CataloguePage },
      },
    },
    async (req) => svc.search(deps.database, req.query),
  );

  r.get(
    '/catalogue/orgs',
    {
      config: { policy: 'public' },
      schema: {
        tags,
        summary: '入网仪器（按单位）：有匹配仪器的单位及其数量',
        querystring: CatalogueOrgsQuery,
        response: { 200: CatalogueOrgsPage },
      },
    },
    async (req) => svc.organizations(deps.database, req.query),
  );

  r.get(
    '/catalogue/facets-reference',
    {
      config: { policy: 'public' },
      schema: { tags, summary: '首页：仪器分类树与服务领域（含入网仪器数量）', response: { 200: FacetsReference } },
    },
    async () => svc.facetsReference(deps.database),
  );
}

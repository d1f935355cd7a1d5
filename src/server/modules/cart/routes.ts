import type { FastifyInstance } from 'fastify';
import {
  CartAddBody,
  CartAddReply,
  CartItemParams,
  CartOrgParams,
  CartRemoveReply,
  CartView,
} from '../../../contracts/cart';
import type { Deps } from '../../deps';
import { typed } from '../../http/route';
import * as svc from './service';

/** 预选清单: a person's own list only; nobody else's is reachable, since every query is by the caller's id. */
export async function cartRoutes(app: FastifyInstance, deps: Deps) {
  const r = typed(app);
  const tags = ['cart'];
  const db = deps.database.db;

  r.get(
    '/cart',
    { config: { policy: 'person' }, schema: { tags, summary: '预选清单（按单位分组）', response: { 200: CartView } } },
    async (req) => svc.view(db, req.actor!.userId),
  );

  r.post(
    '/cart',
    {
      config: { policy: 'person' },
      schema: { tags, summary: '加入预选（一台或多台）', body: CartAddBody, response: { 200: CartAddReply } },
    },
    async (req) => svc.add(db, req.actor!.userId, req.body.instrumentIds, deps.clock.now()),
  );

  r.delete(
    '/cart/items/:instrumentId',
    {
      config: { policy: 'person' },
      schema: { tags, summary: '删除一台仪器', params: CartItemParams, response: { 200: CartRemoveReply } },
    },
    async (req) => svc.removeItem(db, req.actor!.userId, req.params.instrumentId),
  );

  r.delete(
    '/cart/orgs/:orgId',
    {
      config: { policy: 'person' },
      schema: { tags, summary: '删除一个单位的全部仪器', params: CartOrgParams, response: { 200: CartRemoveReply } },
    },
    async (req) => svc.removeOrg(db, req.actor!.userId, req.params.orgId),
  );

  r.delete(
    '/cart',
    { config: { policy: 'person' }, schema: { tags, summary: '清空预选清单', response: { 200: CartRemoveReply } } },
    async (req) => svc.clear(db, req.actor!.userId),
  );

  r.post(
    '/cart/clear-disabled',
    { config: { policy: 'person' }, schema: { tags, summary: '清除停用仪器', response: { 200: CartRemoveReply } } },
    async (req) => svc.clearDisabled(db, req.actor!.userId),
  );
}

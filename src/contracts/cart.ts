import { z } from 'zod';

/** 加入预选: one or many instruments; duplicates are ignored. */
export const CartAddBody = z.strictObject({
  instrumentIds: z.array(z.string().min(1).max(64)).min(1, '请选择仪器').max(100, '一次最多加入 100 台'),
});
export const CartAddReply = z.object({ added: z.number(), total: z.number() });

export const CartItem = z.object({
  instrumentId: z.string(),
  name: z.string(),
  nameEn: z.string().nullable(),
  model: z.string().nullable(),
  manufacturer: z.string().nullable(),
  categoryName: z.string(),
  valueFen: z.number().nullable(),
  serviceCount: z.number(),
  sharingMode: z.enum(['internal', 'external']),
  runStatus: z.string(),
  pictureUrl: z.string().nullable(),
  /** 已停用 */
  isDisabled: z.boolean(),
  /** listed and enabled: may go into a booking */
  isBookable: z.boolean(),
  addedAt: z.string(),
});
export type CartItemT = z.infer<typeof CartItem>;

/** 预选清单, grouped by the owning organisation: one booking covers instruments of one organisation. */
export const CartGroup = z.object({
  orgId: z.string(),
  orgName: z.string(),
  cityName: z.string().nullable(),
  items: z.array(CartItem),
});
export const CartView = z.object({ groups: z.array(CartGroup), total: z.number(), disabledCount: z.number() });

export const CartItemParams = z.strictObject({ instrumentId: z.string().min(1).max(64) });
export const CartOrgParams = z.strictObject({ orgId: z.string().min(1).max(64) });
export const CartRemoveReply = z.object({ removed: z.number(), total: z.number() });

/** The most instruments one preselection list holds. */
export const CART_LIMIT = 200;

import { z } from 'zod';
import { PageQuery } from './common';

/** 消息中心: one message per recipient, created by transitions (bookings, reviews, …). */
export const Message = z.object({
  id: z.string(),
  title: z.string(),
  body: z.string(),
  link: z.string().nullable(),
  subjectKind: z.string().nullable(),
  isRead: z.boolean(),
  createdAt: z.string(),
});
export const MessageQuery = PageQuery.extend({ unread: z.enum(['1', '0']).optional() });
export const MessagePage = z.object({
  items: z.array(Message),
  total: z.number(),
  page: z.number(),
  pageSize: z.number(),
  unread: z.number(),
});
export const UnreadCount = z.object({ unread: z.number() });

import { z } from 'zod';
import { PageQuery, paged } from './common';

export const REVIEW_KINDS = ['organization', 'organization_change'] as const;
export const ReviewStateZ = z.enum(['pending', 'returned', 'approved', 'rejected', 'withdrawn']);

export const QueueQuery = PageQuery.extend({
  kind: z.string().max(40).optional(),
  state: ReviewStateZ.optional(),
  scope: z.enum(['todo', 'done', 'all']).default('todo'),
  from: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD')
    .optional(),
  to: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD')
    .optional(),
  q: z.string().max(60).optional(),
}).strict();

export const ReviewItem = z.object({
  id: z.string(),
  subjectKind: z.string(),
  subjectId: z.string(),
  orgId: z.string().nullable(),
  orgName: z.string().nullable(),
  title: z.string(),
  state: ReviewStateZ,
  level: z.number(),
  levels: z.number(),
  departmentId: z.string(),
  departmentName: z.string(),
  reason: z.string().nullable(),
  submittedAt: z.string(),
  decidedAt: z.string().nullable(),
});
export const ReviewPage = paged(ReviewItem);

export const ReviewEvent = z.object({
  id: z.string(),
  action: z.string(),
  fromState: z.string().nullable(),
  toState: z.string(),
  level: z.number(),
  actorName: z.string(),
  departmentName: z.string().nullable(),
  reason: z.string().nullable(),
  at: z.string(),
});

export const ReviewDetail = z.object({
  review: ReviewItem,
  subject: z.record(z.string(), z.unknown()),
  history: z.array(ReviewEvent),
  actions: z.array(z.enum(['approve', 'reject', 'return'])),
});

export const DecideBody = z.strictObject({
  action: z.enum(['approve', 'reject', 'return']),
  reason: z.string().trim().max(500, '最多 500 个字符').optional(),
});

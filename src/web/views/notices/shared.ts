import type { z } from 'zod';
import type { Notice, NoticePage } from '@contracts/admin';

export type NoticeT = z.infer<typeof Notice>;
export type NoticePageT = z.infer<typeof NoticePage>;

import { z } from 'zod';

/** A stored file as replies show it: the URLs are the only way to read it, and they check who may. */
export const StoredFile = z.object({
  id: z.string(),
  name: z.string(),
  mime: z.string(),
  size: z.number(),
  url: z.string(),
  thumbUrl: z.string().nullable(),
});
export type StoredFileT = z.infer<typeof StoredFile>;

export const FileParams = z.strictObject({ id: z.string().min(1).max(64) });

/** What an upload accepts, for the uploader's hint text. */
export const UPLOAD_RULES = {
  picture: { accept: 'image/jpeg,image/png,image/webp', maxMb: 5, hint: '支持 JPG、PNG、WebP 图片，单张不超过 5 MB' },
  attachment: { accept: '.pdf,.doc,.docx,.xls,.xlsx', maxMb: 20, hint: '支持 PDF、Word、Excel 文件，单个不超过 20 MB' },
} as const;

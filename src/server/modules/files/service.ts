import crypto from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { DomainError, badInput, notFound } from '../../../domain/errors';
import type { StoredFileT } from '../../../contracts/files';
import type { Db } from '../../db/connect';
import { newId } from '../../db/ids';
import type { FilesTable } from '../../db/types';
import type { Deps } from '../../deps';
import type { Actor } from '../../http/actor';
import { detectFileType, type DetectedType, type FileKind } from '../../platform/filetype';
import { makeThumbnail, UndecodableImageError } from '../../platform/images';

export type FileRow = FilesTable;

export interface UploadOptions {
  /** What the file is for (instrument_picture, instrument_attachment, …); it selects who may read it. */
  purpose: string;
  orgId: string | null;
  allowed: FileKind[];
  maxBytes: number;
}

const ALLOWED_TEXT: Record<FileKind, string> = { image: 'JPG、PNG、WebP 图片', document: 'PDF、Word、Excel 文件' };
const KIND_NOUN: Record<FileKind, string> = { image: '图片', document: '文件' };
const mb = (n: number) => `${Math.round((n / 1024 / 1024) * 10) / 10} MB`;

const tooLarge = (o: UploadOptions) =>
  new DomainError(
    413,
    'FILE_TOO_LARGE',
    `文件过大，${o.allowed.length === 1 ? KIND_NOUN[o.allowed[0]] : '文件'}不能超过 ${mb(o.maxBytes)}`,
    { file: `不能超过 ${mb(o.maxBytes)}` },
  );
const wrongType = (o: UploadOptions) => {
  const what = o.allowed.map((k) => ALLOWED_TEXT[k]).join('及');
  return new DomainError(415, 'FILE_TYPE_NOT_ALLOWED', `文件内容与类型不符，仅支持 ${what}`, {
    file: `仅支持 ${what}`,
  });
};

/** The last path segment, without control or reserved characters, with the extension of the real type. */
export function safeName(raw: string | undefined, ext: string): string {
  const last =
    String(raw ?? '')
      .normalize('NFC')
      .split(/[\\/]/)
      .pop() ?? '';
  let base = last
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f<>:"|?*]/g, '_')
    .replace(/\.[A-Za-z0-9]{1,8}$/, '')
    .trim()
    .replace(/^[.\s]+|[.\s]+$/g, '');
  base = [...base].slice(0, 100).join('');
  return `${base || '文件'}.${ext}`;
}

/** RFC 6266 / 5987: an ASCII fallback and the exact UTF-8 name. */
export function contentDisposition(type: 'inline' | 'attachment', name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\;]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${type}; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

export const fileUrl = (id: string) => `/api/files/${id}`;
export const toStored = (f: Pick<FileRow, 'id' | 'originalName' | 'mime' | 'size' | 'thumbKey'>): StoredFileT => ({
  id: f.id,
  name: f.originalName,
  mime: f.mime,
  size: Number(f.size),
  url: fileUrl(f.id),
  thumbUrl: f.thumbKey ? `${fileUrl(f.id)}/thumb` : null,
});

/** Reads the one file of a multipart request, with this upload's own size limit. */
async function readUpload(req: FastifyRequest, o: UploadOptions): Promise<{ data: Buffer; filename: string }> {
  if (!req.isMultipart())
    throw new DomainError(415, 'UPLOAD_NOT_MULTIPART', '请以 multipart/form-data 方式上传文件', {
      file: '请选择要上传的文件',
    });
  let data: Buffer;
  let filename: string;
  try {
    const part = await req.file({ limits: { fileSize: o.maxBytes } });
    if (!part) throw badInput('FILE_REQUIRED', '请选择要上传的文件', { file: '请选择要上传的文件' });
    filename = part.filename;
    data = await part.toBuffer();
    if (part.file.truncated) throw tooLarge(o);
  } catch (e) {
    if (e instanceof DomainError) throw e;
    const code = (e as { code?: string }).code;
    if (
      code === 'FST_REQ_FILE_TOO_LARGE' ||
      code === 'FST_FILES_LIMIT' ||
      code === 'FST_PARTS_LIMIT' ||
      code === 'FST_FIELDS_LIMIT'
    )
      throw tooLarge(o);
    throw badInput('UPLOAD_MALFORMED', '上传内容格式错误，请重新选择文件', { file: '上传内容格式错误' });
  }
  if (data.length === 0) throw badInput('FILE_EMPTY', '文件为空，请重新选择', { file: '文件为空' });
  return { data, filename };
}

/**
 * Stores the file of a multipart upload: checks its real type and size, makes a thumbnail of a picture, writes it
 * through the storage interface and records a `files` row. Nothing is kept when any check fails.
 */
export async function storeUpload(
  deps: Deps,
  req: FastifyRequest,
  o: UploadOptions,
): Promise<StoredFileT & { row: FileRow }> {
  const stored = await storeUploadObjects(deps, req, o);
  try {
    await deps.database.db.insertInto('files').values(stored.row).execute();
  } catch (e) {
    await removeStored(deps, [stored.row.storageKey, stored.row.thumbKey]);
    throw e;
  }
  return stored;
}

/**
 * storeUpload without the `files` row: the caller inserts `row` in its own transaction, and on failure removes the
 * stored objects (`removeStored(deps, [row.storageKey, row.thumbKey])`).
 */
export async function storeUploadObjects(
  deps: Deps,
  req: FastifyRequest,
  o: UploadOptions,
): Promise<StoredFileT & { row: FileRow }> {
  const { data, filename } = await readUpload(req, o);
  if (data.length > o.maxBytes) throw tooLarge(o);
  const type: DetectedType | null = detectFileType(data);
  if (!type || !o.allowed.includes(type.kind)) throw wrongType(o);
  let thumb: Awaited<ReturnType<typeof makeThumbnail>> | null = null;
  if (type.kind === 'image') {
    try {
      thumb = await makeThumbnail(data);
    } catch (e) {
      if (e instanceof UndecodableImageError)
        throw new DomainError(415, 'IMAGE_UNREADABLE', '图片已损坏或无法识别，请重新选择', { file: '图片无法识别' });
      throw e;
    }
  }
  const storageKey = await deps.storage.put(data, type.ext);
  let thumbKey: string | null = null;
  try {
    if (thumb) thumbKey = await deps.storage.put(thumb.data, thumb.ext);
  } catch (e) {
    await removeStored(deps, [storageKey]);
    throw e;
  }
  const row: FileRow = {
    id: newId(),
    orgId: o.orgId,
    purpose: o.purpose,
    storageKey,
    thumbKey,
    originalName: safeName(filename, type.ext),
    mime: type.mime,
    size: data.length,
    sha256: crypto.createHash('sha256').update(data).digest('hex'),
    createdBy: req.actor?.userId ?? null,
    createdAt: deps.clock.now().toISOString(),
  };
  return { ...toStored(row), row };
}

/** Deletes `files` rows inside the caller's transaction; returns the storage keys to remove after it commits. */
export async function deleteRows(trx: Db, ids: string[]): Promise<string[]> {
  if (!ids.length) return [];
  const rows = await trx.selectFrom('files').select(['storageKey', 'thumbKey']).where('id', 'in', ids).execute();
  await trx.deleteFrom('files').where('id', 'in', ids).execute();
  return rows.flatMap((r) => [r.storageKey, r.thumbKey]).filter((k): k is string => !!k);
}

/** Removes stored objects; a failure leaves an orphan object, never a broken row, so it is only logged. */
export async function removeStored(deps: Deps, keys: (string | null)[]) {
  for (const k of keys) {
    if (!k) continue;
    try {
      await deps.storage.remove(k);
    } catch (e) {
      deps.log.warn?.({ err: e, key: k }, 'could not remove a stored file');
    }
  }
}

/** An upload that could not be attached: row and objects go. */
export async function discard(deps: Deps, id: string) {
  const keys = await deps.database.db.transaction().execute((trx) => deleteRows(trx, [id]));
  await removeStored(deps, keys);
}

// ------------------------------------------------------------------ reading

/** 'public': anyone may read it; 'private': this actor may; false: this actor may not (and learns nothing: 404). */
export type Visibility = 'public' | 'private' | false;
export type FileAccessCheck = (db: Db, actor: Actor | null, file: FileRow) => Promise<Visibility>;

const access = new Map<string, FileAccessCheck>();
/** The module that owns a purpose says who may read its files (instruments: listed ones are public …). */
export function registerFileAccess(purpose: string, check: FileAccessCheck) {
  access.set(purpose, check);
}

/** Without a rule of its own, a file is for the members of its organisation (or its uploader) only. */
const defaultAccess: FileAccessCheck = async (_db, actor, f) =>
  (f.orgId ? actor?.org?.id === f.orgId : !!actor && actor.userId === f.createdBy) ? 'private' : false;

export interface OpenFile {
  key: string;
  mime: string;
  size: number | null;
  disposition: string;
  cache: string;
}

/** A file (or its thumbnail) ready to send, for someone who may see it; 404 for everyone else. */
export async function open(
  deps: Deps,
  actor: Actor | null,
  id: string,
  variant: 'original' | 'thumb',
): Promise<OpenFile> {
  const db = deps.database.db;
  const f = await db.selectFrom('files').selectAll().where('id', '=', id).executeTakeFirst();
  if (!f) throw notFound('文件');
  const visibility = await (access.get(f.purpose) ?? defaultAccess)(db, actor, f);
  if (!visibility) throw notFound('文件');
  const cache = visibility === 'public' ? 'public, max-age=600' : 'private, no-cache';
  const isImage = f.mime.startsWith('image/');
  if (variant === 'thumb') {
    if (!f.thumbKey) throw notFound('缩略图');
    const name = `${f.originalName.replace(/\.[^.]+$/, '')}-缩略图.webp`;
    return { key: f.thumbKey, mime: 'image/webp', size: null, disposition: contentDisposition('inline', name), cache };
  }
  return {
    key: f.storageKey,
    mime: f.mime,
    size: Number(f.size),
    disposition: contentDisposition(isImage ? 'inline' : 'attachment', f.originalName),
    cache,
  };
}

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { notFound } from '../../domain/errors';
import type { Config } from '../config';
import { s3OptionsFromConfig, s3Storage } from './s3-storage';

/**
 * Where uploaded files live. The local directory is the default; an S3-compatible store is the multi-machine path.
 * Both use the same keys (`ab/<32 hex>.<ext>`), so a file moves between them unchanged (npm run storage:migrate).
 */
export interface Storage {
  /** which store this is, for the operator's messages (backup manifest, migrate report) */
  readonly kind: 'local' | 's3';
  put(data: Buffer, ext: string): Promise<string>;
  /** A missing object is a 404 (`NOT_FOUND`), the same from every store. */
  get(key: string): Promise<Buffer>;
  /** Opened before it resolves, so that a missing object is a 404 and not an error in the middle of a reply. */
  stream(key: string): Promise<Readable>;
  remove(key: string): Promise<void>;
  /** Writes under a given key: copying between stores (migrate, restore) keeps the keys the database names. */
  write(key: string, data: Buffer): Promise<void>;
  /** Every upload's key in the store (objects whose names are not upload keys are left out), in no particular order. */
  keys(): AsyncIterable<string>;
}

export const STORAGE_KEY = /^[0-9a-f]{2}\/[0-9a-f]{32}\.[a-z0-9]{1,8}$/;

export function checkedKey(key: string): string {
  if (!STORAGE_KEY.test(key)) throw new Error(`bad storage key: ${JSON.stringify(key)}`);
  return key;
}

/** A fresh random key; the first two hex characters make a directory level so that no directory grows too large. */
export function newStorageKey(ext: string): string {
  const name = crypto.randomBytes(16).toString('hex');
  return `${name.slice(0, 2)}/${name}.${ext.replace(/[^a-z0-9]/g, '').slice(0, 8) || 'bin'}`;
}

export const missingFile = () => notFound('文件');

function rethrowMissing(e: unknown): never {
  if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw missingFile();
  throw e;
}

export function localStorage(root: string): Storage {
  fs.mkdirSync(root, { recursive: true });
  const full = (key: string) => path.join(root, checkedKey(key));
  // the directory is made when the write finds it missing, not before every write (one trip to libuv's pool less)
  const write = async (key: string, data: Buffer, flag: 'w' | 'wx') => {
    try {
      await fs.promises.writeFile(full(key), data, { flag });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      await fs.promises.mkdir(path.dirname(full(key)), { recursive: true });
      await fs.promises.writeFile(full(key), data, { flag });
    }
  };
  return {
    kind: 'local',
    async put(data, ext) {
      const key = newStorageKey(ext);
      await write(key, data, 'wx');
      return key;
    },
    async get(key) {
      return fs.promises.readFile(full(key)).catch(rethrowMissing);
    },
    async stream(key) {
      const handle = await fs.promises.open(full(key), 'r').catch(rethrowMissing);
      return handle.createReadStream();
    },
    async remove(key) {
      await fs.promises.rm(full(key), { force: true });
    },
    async write(key, data) {
      await write(key, data, 'w');
    },
    async *keys() {
      if (!fs.existsSync(root)) return;
      for (const entry of await fs.promises.readdir(root, { recursive: true, withFileTypes: true })) {
        if (!entry.isFile()) continue;
        const key = path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join('/');
        // anything else in the directory (an editor's backup, a half-written temp file) is not an upload
        if (STORAGE_KEY.test(key)) yield key;
      }
    },
  };
}

/** S3 when S3_ENDPOINT and S3_BUCKET are set (config.ts refuses one without the other), else DATA_DIR/uploads. */
export function storageFromConfig(config: Config): Storage {
  const s3 = s3OptionsFromConfig(config);
  return s3 ? s3Storage(s3) : localStorage(config.uploadDir);
}

import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import type { Config } from '../config';
import { STORAGE_KEY, checkedKey, missingFile, newStorageKey, type Storage } from './storage';

export interface S3Options {
  endpoint: string;
  bucket: string;
  region: string;
  /** without keys the SDK's own chain is used (AWS_* environment, instance profile) */
  accessKeyId?: string;
  secretAccessKey?: string;
  forcePathStyle: boolean;
  /** keys per ListObjectsV2 page (S3's maximum is 1000); tests make it small to cross pages */
  listPageSize?: number;
}

/** The S3 settings when S3_ENDPOINT and S3_BUCKET are set; undefined means the local directory. */
export function s3OptionsFromConfig(config: Config): S3Options | undefined {
  if (!config.S3_ENDPOINT || !config.S3_BUCKET) return undefined;
  return {
    endpoint: config.S3_ENDPOINT,
    bucket: config.S3_BUCKET,
    region: config.S3_REGION,
    accessKeyId: config.S3_ACCESS_KEY_ID,
    secretAccessKey: config.S3_SECRET_ACCESS_KEY,
    forcePathStyle: config.S3_FORCE_PATH_STYLE === 'true',
  };
}

export function createS3Client(o: S3Options): S3Client {
  return new S3Client({
    endpoint: o.endpoint,
    region: o.region,
    forcePathStyle: o.forcePathStyle,
    credentials:
      o.accessKeyId && o.secretAccessKey
        ? { accessKeyId: o.accessKeyId, secretAccessKey: o.secretAccessKey }
        : undefined,
    // SDK 3.729+ adds CRC checksums to every upload by default; many S3-compatible stores (older MinIO, Ceph,
    // s3rver) do not know them, and the SHA-256 in the files table already guards the content
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

const isMissing = (e: unknown) => {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
  return err?.name === 'NoSuchKey' || err?.name === 'NotFound' || err?.$metadata?.httpStatusCode === 404;
};

/** Uploaded files as objects of one bucket, under the same keys as the local directory. */
export function s3Storage(o: S3Options, client: S3Client = createS3Client(o)): Storage {
  const Bucket = o.bucket;
  const write = async (key: string, data: Buffer) => {
    await client.send(new PutObjectCommand({ Bucket, Key: checkedKey(key), Body: data, ContentLength: data.length }));
  };
  const open = async (key: string) => {
    try {
      const res = await client.send(new GetObjectCommand({ Bucket, Key: checkedKey(key) }));
      if (!res.Body) throw missingFile();
      return res.Body;
    } catch (e) {
      if (isMissing(e)) throw missingFile();
      throw e;
    }
  };
  return {
    kind: 's3',
    async put(data, ext) {
      const key = newStorageKey(ext);
      await write(key, data);
      return key;
    },
    async get(key) {
      return Buffer.from(await (await open(key)).transformToByteArray());
    },
    // in Node the SDK's body is the HTTP response itself (an IncomingMessage), a Readable
    async stream(key) {
      return (await open(key)) as unknown as Readable;
    },
    async remove(key) {
      await client.send(new DeleteObjectCommand({ Bucket, Key: checkedKey(key) }));
    },
    write,
    async *keys() {
      // paged by StartAfter (the last key seen) rather than by continuation tokens: keys come in order on every
      // S3-compatible store, while s3rver's tokens need DES, which OpenSSL 3 no longer offers
      let startAfter: string | undefined;
      for (;;) {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket, MaxKeys: o.listPageSize ?? 1000, StartAfter: startAfter }),
        );
        const objects = page.Contents ?? [];
        // other objects in a shared bucket are not uploads (and their names are not safe as file paths)
        for (const object of objects) if (object.Key && STORAGE_KEY.test(object.Key)) yield object.Key;
        if (!page.IsTruncated || !objects.length) return;
        startAfter = objects[objects.length - 1].Key;
      }
    },
  };
}

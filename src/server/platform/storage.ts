import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** Where uploaded files live. The local directory is the default; an S3-compatible store is the multi-machine path. */
export interface Storage {
  put(data: Buffer, ext: string): Promise<string>;
  get(key: string): Promise<Buffer>;
  stream(key: string): NodeJS.ReadableStream;
  remove(key: string): Promise<void>;
}

export function localStorage(root: string): Storage {
  fs.mkdirSync(root, { recursive: true });
  const full = (key: string) => {
    if (!/^[0-9a-f]{2}\/[0-9a-f]{32}\.[a-z0-9]{1,8}$/.test(key)) throw new Error('bad storage key');
    return path.join(root, key);
  };
  return {
    async put(data, ext) {
      const name = crypto.randomBytes(16).toString('hex');
      const key = `${name.slice(0, 2)}/${name}.${ext.replace(/[^a-z0-9]/g, '').slice(0, 8) || 'bin'}`;
      await fs.promises.mkdir(path.dirname(full(key)), { recursive: true });
      await fs.promises.writeFile(full(key), data, { flag: 'wx' });
      return key;
    },
    get: (key) => fs.promises.readFile(full(key)),
    stream: (key) => fs.createReadStream(full(key)),
    async remove(key) { await fs.promises.rm(full(key), { force: true }); },
  };
}

/** Test helpers: multipart bodies built by hand and real files of each kind. Used by the integration tests only. */
import crypto from 'node:crypto';
import sharp from 'sharp';
import { zipSync, strToU8 } from 'fflate';
import type { Client, Res } from '../../test/harness';

/** A multipart/form-data body with one file part (and optional text fields before it). */
export function multipart(
  data: Buffer,
  filename: string,
  contentType = 'application/octet-stream',
  fields: Record<string, string> = {},
  fieldName = 'file',
) {
  const boundary = `----isp${crypto.randomBytes(8).toString('hex')}`;
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  }
  parts.push(
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${fieldName}"; filename="${filename}"\r\nContent-Type: ${contentType}\r\n\r\n`,
    ),
  );
  parts.push(data, Buffer.from(`\r\n--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

export function upload(c: Client, url: string, data: Buffer, filename: string, contentType?: string): Promise<Res> {
  const m = multipart(data, filename, contentType);
  return c.request('POST', url, m.body, { 'content-type': m.contentType });
}

/** A real PNG photo-like image (noise, so that it does not compress to nothing). */
export async function png(width = 800, height = 600): Promise<Buffer> {
  const raw = crypto.randomBytes(width * height * 3);
  return sharp(raw, { raw: { width, height, channels: 3 } })
    .png({ compressionLevel: 1 })
    .toBuffer();
}

export const jpeg = (width = 640, height = 480) =>
  sharp({ create: { width, height, channels: 3, background: '#3a6ea5' } })
    .jpeg()
    .toBuffer();

/** A minimal valid PDF. */
export { tinyPdf as pdf } from '../../platform/tiny-pdf';

/** An Office Open XML package with the parts that identify it. */
export function officeZip(kind: 'word' | 'xl' | 'other'): Buffer {
  const files: Record<string, Uint8Array> = {
    '[Content_Types].xml': strToU8('<?xml version="1.0"?><Types/>'),
    '_rels/.rels': strToU8('<Relationships/>'),
  };
  if (kind === 'word') files['word/document.xml'] = strToU8('<w:document/>');
  if (kind === 'xl') files['xl/workbook.xml'] = strToU8('<workbook/>');
  if (kind === 'other') files['ppt/presentation.xml'] = strToU8('<p:presentation/>');
  return Buffer.from(zipSync(files));
}

/** A Windows executable's start: what a renamed .exe looks like. */
export function exe(): Buffer {
  const b = Buffer.alloc(4096, 0);
  b.write('MZ', 0, 'latin1');
  b.writeUInt32LE(0x80, 0x3c);
  b.write('PE\0\0', 0x80, 'latin1');
  b.write('This program cannot be run in DOS mode.', 0x4e, 'latin1');
  return b;
}

/** An OLE2 compound file (version 3, 512-byte sectors) whose directory holds the given stream names. */
export function compoundFile(streams: string[]): Buffer {
  const b = Buffer.alloc(512 * 3, 0);
  Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]).copy(b, 0);
  b.writeUInt16LE(0x3e, 0x18);
  b.writeUInt16LE(3, 0x1a);
  b.writeUInt16LE(0xfffe, 0x1c);
  b.writeUInt16LE(9, 0x1e);
  b.writeUInt16LE(6, 0x20);
  b.writeUInt32LE(1, 0x2c);
  b.writeUInt32LE(1, 0x30);
  b.writeUInt32LE(0x1000, 0x38);
  b.writeUInt32LE(0xfffffffe, 0x3c);
  b.writeUInt32LE(0xfffffffe, 0x44);
  b.writeUInt32LE(0, 0x4c);
  for (let i = 1; i < 109; i++) b.writeUInt32LE(0xffffffff, 0x4c + i * 4);
  // sector 0: the FAT (itself, then the one-sector directory chain)
  const fat = 512;
  b.writeUInt32LE(0xfffffffd, fat);
  b.writeUInt32LE(0xfffffffe, fat + 4);
  for (let i = 2; i < 128; i++) b.writeUInt32LE(0xffffffff, fat + i * 4);
  // sector 1: the directory, root first
  const dir = 1024;
  ['Root Entry', ...streams].slice(0, 4).forEach((name, i) => {
    const at = dir + i * 128;
    b.write(name, at, 'utf16le');
    b.writeUInt16LE((name.length + 1) * 2, at + 0x40);
    b[at + 0x42] = i === 0 ? 5 : 2;
  });
  return b;
}

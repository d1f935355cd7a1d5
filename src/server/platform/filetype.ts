import { unzipSync } from 'fflate';

/**
 * The real type of an uploaded file, told by its content (magic bytes and container structure), never by its
 * name or the content type the client sent.
 */
export type FileKind = 'image' | 'document';
export interface DetectedType {
  kind: FileKind;
  mime: string;
  ext: string;
  label: string;
}

export const TYPES = {
  jpeg: { kind: 'image', mime: 'image/jpeg', ext: 'jpg', label: 'JPG' },
  png: { kind: 'image', mime: 'image/png', ext: 'png', label: 'PNG' },
  webp: { kind: 'image', mime: 'image/webp', ext: 'webp', label: 'WebP' },
  pdf: { kind: 'document', mime: 'application/pdf', ext: 'pdf', label: 'PDF' },
  docx: {
    kind: 'document',
    mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    ext: 'docx',
    label: 'Word',
  },
  xlsx: {
    kind: 'document',
    mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    ext: 'xlsx',
    label: 'Excel',
  },
  doc: { kind: 'document', mime: 'application/msword', ext: 'doc', label: 'Word' },
  xls: { kind: 'document', mime: 'application/vnd.ms-excel', ext: 'xls', label: 'Excel' },
} as const satisfies Record<string, DetectedType>;

const startsWith = (b: Uint8Array, sig: number[], at = 0) =>
  b.length >= at + sig.length && sig.every((x, i) => b[at + i] === x);
const ascii = (b: Uint8Array, at: number, len: number) => String.fromCharCode(...b.subarray(at, at + len));

export function detectFileType(buf: Uint8Array): DetectedType | null {
  if (startsWith(buf, [0xff, 0xd8, 0xff])) return TYPES.jpeg;
  if (startsWith(buf, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return TYPES.png;
  if (buf.length >= 12 && ascii(buf, 0, 4) === 'RIFF' && ascii(buf, 8, 4) === 'WEBP') return TYPES.webp;
  // PDF: strictly at the start (readers tolerate leading junk; we do not, so that no polyglot gets in)
  if (buf.length >= 8 && ascii(buf, 0, 5) === '%PDF-') return TYPES.pdf;
  if (startsWith(buf, [0x50, 0x4b, 0x03, 0x04])) return officeOpenXml(buf);
  if (startsWith(buf, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return compoundDocument(buf);
  return null;
}

/** A .docx or .xlsx: a zip with [Content_Types].xml and word/ or xl/ parts. Only the central directory is read. */
function officeOpenXml(buf: Uint8Array): DetectedType | null {
  const names: string[] = [];
  try {
    // the filter sees every entry of the central directory; returning false means nothing is inflated (no zip bomb)
    unzipSync(buf, {
      filter: (f) => {
        if (names.length < 10_000) names.push(f.name);
        return false;
      },
    });
  } catch {
    return null;
  }
  if (!names.includes('[Content_Types].xml')) return null;
  if (names.some((n) => n.startsWith('word/'))) return TYPES.docx;
  if (names.some((n) => n.startsWith('xl/'))) return TYPES.xlsx;
  return null;
}

/**
 * A .doc or .xls: an OLE2 compound file whose directory holds a "WordDocument" or a "Workbook"/"Book" stream.
 * Other compound files (installers, PowerPoint, Outlook messages) are refused.
 */
function compoundDocument(buf: Uint8Array): DetectedType | null {
  const names = compoundStreamNames(buf);
  if (!names) return null;
  if (names.includes('WordDocument')) return TYPES.doc;
  if (names.includes('Workbook') || names.includes('Book')) return TYPES.xls;
  return null;
}

const ENDOFCHAIN = 0xfffffffe;

/** Names of the directory entries of a compound file (MS-CFB), or null when the structure is broken. */
export function compoundStreamNames(buf: Uint8Array): string[] | null {
  if (buf.length < 512) return null;
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const shift = view.getUint16(0x1e, true);
  if (shift !== 9 && shift !== 12) return null;
  const size = 1 << shift;
  const sectorAt = (n: number) => (n + 1) * size;
  const maxSectors = Math.floor(buf.length / size);

  // the FAT sectors: 109 in the header, the rest in the DIFAT chain
  const fatSectors: number[] = [];
  for (let i = 0; i < 109; i++) {
    const s = view.getUint32(0x4c + i * 4, true);
    if (s < maxSectors) fatSectors.push(s);
  }
  let difat = view.getUint32(0x44, true);
  for (let guard = 0; difat < maxSectors && guard < 1000; guard++) {
    const at = sectorAt(difat);
    if (at + size > buf.length) return null;
    for (let i = 0; i < size / 4 - 1; i++) {
      const s = view.getUint32(at + i * 4, true);
      if (s < maxSectors) fatSectors.push(s);
    }
    difat = view.getUint32(at + size - 4, true);
  }
  const next = (sector: number): number => {
    const perFat = size / 4;
    const fs = fatSectors[Math.floor(sector / perFat)];
    if (fs === undefined) return ENDOFCHAIN;
    const at = sectorAt(fs) + (sector % perFat) * 4;
    return at + 4 <= buf.length ? view.getUint32(at, true) : ENDOFCHAIN;
  };

  const names: string[] = [];
  let dir = view.getUint32(0x30, true);
  const seen = new Set<number>();
  while (dir < maxSectors && !seen.has(dir) && seen.size < 10_000) {
    seen.add(dir);
    const at = sectorAt(dir);
    if (at + size > buf.length) return null;
    for (let e = 0; e < size / 128; e++) {
      const base = at + e * 128;
      const len = view.getUint16(base + 0x40, true);
      const type = buf[base + 0x42];
      if (type === 0 || len < 2 || len > 64) continue;
      let name = '';
      for (let i = 0; i < len / 2 - 1; i++) name += String.fromCharCode(view.getUint16(base + i * 2, true));
      names.push(name);
    }
    dir = next(dir);
  }
  return names.length ? names : null;
}

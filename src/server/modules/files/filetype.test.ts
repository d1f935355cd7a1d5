import { describe, expect, it } from 'vitest';
import { detectFileType } from '../../platform/filetype';
import { makeThumbnail, UndecodableImageError } from '../../platform/images';
import { compoundFile, exe, jpeg, officeZip, pdf, png } from './testing';
import { contentDisposition, safeName } from './service';
import sharp from 'sharp';

describe('file type by content', () => {
  it('tells images, PDF and Office files by their bytes', async () => {
    expect(detectFileType(await png(40, 30))?.mime).toBe('image/png');
    expect(detectFileType(await jpeg(40, 30))?.mime).toBe('image/jpeg');
    expect(
      detectFileType(
        await sharp({ create: { width: 8, height: 8, channels: 3, background: '#fff' } })
          .webp()
          .toBuffer(),
      )?.mime,
    ).toBe('image/webp');
    expect(detectFileType(pdf())?.mime).toBe('application/pdf');
    expect(detectFileType(officeZip('word'))?.ext).toBe('docx');
    expect(detectFileType(officeZip('xl'))?.ext).toBe('xlsx');
    expect(detectFileType(compoundFile(['WordDocument', '1Table']))?.ext).toBe('doc');
    expect(detectFileType(compoundFile(['Workbook']))?.ext).toBe('xls');
  });

  it('refuses executables, other archives and other compound files, whatever they are called', () => {
    expect(detectFileType(exe())).toBeNull();
    expect(detectFileType(officeZip('other'))).toBeNull();
    expect(detectFileType(compoundFile(['PowerPoint Document']))).toBeNull();
    expect(detectFileType(Buffer.from('<html><script>alert(1)</script></html>'))).toBeNull();
    expect(detectFileType(Buffer.from(' %PDF-1.4 not at the start'))).toBeNull();
    expect(detectFileType(Buffer.alloc(0))).toBeNull();
    // a zip whose central directory is cut off
    const zip = officeZip('word');
    expect(detectFileType(zip.subarray(0, zip.length - 30))).toBeNull();
  });

  it('refuses an image that only looks like one, and makes a 320 px WebP thumbnail of a real one', async () => {
    const fake = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(2000, 7)]);
    await expect(makeThumbnail(fake)).rejects.toBeInstanceOf(UndecodableImageError);
    const t = await makeThumbnail(await png(1200, 900));
    const meta = await sharp(t.data).metadata();
    expect(meta.format).toBe('webp');
    expect(meta.width).toBe(320);
    expect(meta.height).toBe(240);
    // small images are not enlarged
    expect((await makeThumbnail(await png(100, 50))).width).toBe(100);
  });
});

describe('names', () => {
  it('keeps the last path segment, drops control and reserved characters, and takes the real extension', () => {
    expect(safeName('C:\\fakepath\\扫描电镜照片.jpg', 'png')).toBe('扫描电镜照片.png');
    expect(safeName('../../etc/passwd', 'pdf')).toBe('passwd.pdf');
    expect(safeName('a\u0000b<c>"d".pdf', 'pdf')).toBe('a_b_c__d_.pdf');
    expect(safeName('', 'pdf')).toBe('文件.pdf');
    expect(safeName('...', 'docx')).toBe('文件.docx');
    expect(safeName('x'.repeat(300) + '.pdf', 'pdf')).toHaveLength(104);
  });

  it('writes Content-Disposition with an ASCII fallback and the UTF-8 name (RFC 5987)', () => {
    expect(contentDisposition('attachment', '操作规程(2024).pdf')).toBe(
      `attachment; filename="____(2024).pdf"; filename*=UTF-8''%E6%93%8D%E4%BD%9C%E8%A7%84%E7%A8%8B%282024%29.pdf`,
    );
    expect(contentDisposition('inline', 'a"b\\c;d.png')).toBe(
      `inline; filename="a_b_c_d.png"; filename*=UTF-8''a%22b%5Cc%3Bd.png`,
    );
  });
});

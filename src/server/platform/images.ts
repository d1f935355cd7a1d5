/** An image whose header looked right but which the decoder cannot read (truncated, corrupt, a disguised file). */
export class UndecodableImageError extends Error {
  constructor(cause: unknown) {
    super('image cannot be decoded', { cause });
  }
}

export const THUMB_WIDTH = 320;
/** WebP quality of thumbnails: a list's pictures are small, and ten of them come with the home page's first load. */
export const THUMB_QUALITY = 70;
/** About 8000 × 5000: anything larger is refused before it is decoded (decompression bombs). */
const MAX_PIXELS = 40_000_000;

export interface Thumbnail {
  data: Buffer;
  width: number;
  height: number;
  mime: 'image/webp';
  ext: 'webp';
}

/**
 * A WebP thumbnail, 320 px wide (a card shows it 274 px wide on a desktop, 165 px on a phone; never enlarged),
 * turned upright by its EXIF orientation and without metadata.
 * Decoding the whole image is also the check that it is an image at all.
 */
export async function makeThumbnail(input: Buffer): Promise<Thumbnail> {
  // sharp is loaded with the first picture, not at start (memory)
  const { default: sharp } = await import('sharp');
  try {
    const { data, info } = await sharp(input, { failOn: 'error', limitInputPixels: MAX_PIXELS, animated: false })
      .rotate()
      .resize({ width: THUMB_WIDTH, withoutEnlargement: true })
      .webp({ quality: THUMB_QUALITY })
      .toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height, mime: 'image/webp', ext: 'webp' };
  } catch (e) {
    throw new UndecodableImageError(e);
  }
}

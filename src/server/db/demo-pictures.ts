/**
 * Demo pictures: on the first start, every demo instrument without a picture gets one, drawn for its category
 * (demo-picture-art.ts) with its model on the plate, rendered to JPEG with sharp and stored the way an upload is:
 * the object and its WebP thumbnail through the storage interface, a `files` row, an `instrument_files` link, and
 * the catalogue told. The drawing is rasterised once per kind and tint, the model's plate laid over it, and one
 * picture per drawing, tint and model is made and reused.
 */
import crypto from 'node:crypto';
import type Sharp from 'sharp';
import type { Db } from './connect';
import { newId } from './ids';
import type { FilesTable, InstrumentFilesTable } from './types';
import type { Storage } from '../platform/storage';
import type { Clock } from '../platform/clock';
import { THUMB_QUALITY, THUMB_WIDTH } from '../platform/images';
import { catalogueChanged } from '../modules/catalogue/indexer';
import { plateSvg, sceneSvg, shapeOf, tintOf } from './demo-picture-art';

/** the purpose of an instrument's picture (modules/instruments/service.ts PICTURE) */
const PICTURE = 'instrument_picture';

export interface DemoPicture {
  jpeg: Buffer;
  thumb: Buffer;
}

interface Raw {
  data: Buffer;
  info: { width: number; height: number; channels: 1 | 2 | 3 | 4 };
}
/** sharp, loaded by the first picture rendered (a server that seeds nothing never loads it) */
let sharp: typeof Sharp;
const scenes = new Map<string, Promise<Raw>>();
/** The drawing without the plate, rasterised once per drawing and tint (the slow part: gradients over 800 × 600). */
function scene(categoryCode: string): Promise<Raw> {
  const key = `${shapeOf(categoryCode)}|${tintOf(categoryCode)}`;
  let p = scenes.get(key);
  if (!p)
    scenes.set(
      key,
      (p = sharp(Buffer.from(sceneSvg(categoryCode)))
        .raw()
        .toBuffer({ resolveWithObject: true })),
    );
  return p;
}
const fromRaw = (r: Raw) =>
  sharp(r.data, { raw: { width: r.info.width, height: r.info.height, channels: r.info.channels } });

/**
 * The picture of an instrument of `categoryCode` and `model`: an 800 × 600 JPEG, and its thumbnail as an upload
 * gets it (images.ts: WebP, THUMB_WIDTH wide), made from the same pixels instead of decoding the JPEG again.
 */
export async function renderDemoPicture(categoryCode: string, model: string): Promise<DemoPicture> {
  sharp ??= (await import('sharp')).default;
  const pixels = await fromRaw(await scene(categoryCode))
    .composite([{ input: Buffer.from(plateSvg(categoryCode, model)) }])
    .raw()
    .toBuffer({ resolveWithObject: true });
  const [jpeg, thumb] = await Promise.all([
    fromRaw(pixels).jpeg({ quality: 82 }).toBuffer(),
    fromRaw(pixels).resize({ width: THUMB_WIDTH }).webp({ quality: THUMB_QUALITY, effort: 2 }).toBuffer(),
  ]);
  return { jpeg, thumb };
}

/** A file name an upload would have: the model (or the name), without characters a file name may not hold. */
const fileName = (model: string | null, name: string) =>
  `${
    (model || name)
      .replace(/[\\/:*?"<>|\s]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'instrument'
  }.jpg`;

/**
 * Gives each instrument that has no picture yet its drawn picture; returns how many were given. `limit` renders
 * that many pictures at a time (sharp works in its own threads).
 */
export async function seedDemoPictures(
  deps: { db: Db; storage: Storage; clock: Clock },
  opts: { limit?: number } = {},
): Promise<number> {
  const { db, storage, clock } = deps;
  const rows = await db
    .selectFrom('instruments')
    .select(['id', 'orgId', 'name', 'model', 'categoryCode', 'createdBy'])
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('instrumentFiles')
            .select('fileId')
            .whereRef('instrumentFiles.instrumentId', '=', 'instruments.id')
            .where('instrumentFiles.kind', '=', 'picture'),
        ),
      ),
    )
    .orderBy('id')
    .execute();
  if (!rows.length) return 0;

  const renders = new Map<string, Promise<DemoPicture>>();
  const picture = (categoryCode: string, model: string) => {
    const key = `${shapeOf(categoryCode)}|${tintOf(categoryCode)}|${model}`;
    let p = renders.get(key);
    if (!p) renders.set(key, (p = renderDemoPicture(categoryCode, model)));
    return p;
  };

  const files: FilesTable[] = [];
  const links: InstrumentFilesTable[] = [];
  const now = clock.now().toISOString();
  const limit = opts.limit ?? 4;
  for (let k = 0; k < rows.length; k += limit) {
    await Promise.all(
      rows.slice(k, k + limit).map(async (row) => {
        const pic = await picture(row.categoryCode ?? '', row.model ?? '');
        const storageKey = await storage.put(pic.jpeg, 'jpg');
        const thumbKey = await storage.put(pic.thumb, 'webp');
        const id = newId();
        files.push({
          id,
          orgId: row.orgId,
          purpose: PICTURE,
          storageKey,
          thumbKey,
          originalName: fileName(row.model, row.name),
          mime: 'image/jpeg',
          size: pic.jpeg.length,
          sha256: crypto.createHash('sha256').update(pic.jpeg).digest('hex'),
          createdBy: row.createdBy,
          createdAt: now,
        });
        links.push({ instrumentId: row.id, fileId: id, kind: 'picture', sort: 0 });
      }),
    );
  }
  await db.transaction().execute(async (trx) => {
    for (let k = 0; k < files.length; k += 200) {
      await trx
        .insertInto('files')
        .values(files.slice(k, k + 200))
        .execute();
      await trx
        .insertInto('instrumentFiles')
        .values(links.slice(k, k + 200))
        .execute();
    }
    // the catalogue shows the first picture
    await catalogueChanged(
      trx,
      rows.map((r) => r.id),
    );
  });
  return files.length;
}

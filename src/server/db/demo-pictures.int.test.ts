import sharp from 'sharp';
import { THUMB_WIDTH } from '../platform/images';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, createTestApp, type TestApp } from '../test/harness';
import { seedDemo } from './seed-demo';
import { seedDemoPictures } from './demo-pictures';
import { instrumentSvg, shapeOf } from './demo-picture-art';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  expect(await seedDemo(t.database.db, t.clock)).toBe(true);
}, 60_000);
afterAll(async () => {
  await t?.close();
});

describe('demo pictures', () => {
  it('each category class has its drawing; the model is on the plate, escaped', () => {
    expect(shapeOf('010102')).toBe('electronMicroscope');
    expect(shapeOf('010502')).toBe('chromatograph');
    expect(shapeOf('020101')).toBe('testingMachine');
    expect(shapeOf('140000')).toBe('rack');
    expect(shapeOf('990000')).toBe('generic');
    const svg = instrumentSvg('010102', 'A<B & "C"');
    expect(svg).toContain('A&lt;B &amp; &quot;C&quot;');
    expect(svg).not.toMatch(/https?:\/\/(?!www\.w3\.org)/); // nothing is fetched
  });

  it('every demo instrument gets a picture stored as an upload would be: a JPEG, its WebP thumbnail, shown by the catalogue', async () => {
    const started = Date.now();
    const n = await seedDemoPictures({ db: t.database.db, storage: t.deps.storage, clock: t.clock });
    const seconds = (Date.now() - started) / 1000;
    const db = t.database.db;
    const instruments = await db.selectFrom('instruments').select(['id', 'state']).execute();
    expect(n).toBe(instruments.length);
    expect(seconds).toBeLessThan(60);

    const pictures = await db
      .selectFrom('instrumentFiles')
      .innerJoin('files', 'files.id', 'instrumentFiles.fileId')
      .innerJoin('instruments', 'instruments.id', 'instrumentFiles.instrumentId')
      .select(['instrumentFiles.instrumentId', 'files.storageKey', 'files.thumbKey', 'files.mime', 'files.size'])
      .select(['files.purpose', 'files.orgId', 'instruments.orgId as instrumentOrg'])
      .where('instrumentFiles.kind', '=', 'picture')
      .execute();
    expect(new Set(pictures.map((p) => p.instrumentId)).size).toBe(instruments.length);
    expect(pictures.every((p) => p.purpose === 'instrument_picture' && p.orgId === p.instrumentOrg)).toBe(true);
    for (const p of [pictures[0], pictures[pictures.length - 1]]) {
      const data = await t.deps.storage.get(p.storageKey);
      expect(data.length).toBe(Number(p.size));
      expect(await sharp(data).metadata()).toMatchObject({ format: 'jpeg', width: 800, height: 600 });
      expect(await sharp(await t.deps.storage.get(p.thumbKey!)).metadata()).toMatchObject({
        format: 'webp',
        width: THUMB_WIDTH,
      });
    }

    // a second run finds nothing to do
    expect(await seedDemoPictures({ db, storage: t.deps.storage, clock: t.clock })).toBe(0);

    // the catalogue's result cards carry the picture, which a visitor can load
    const visitor = new Client(t.app);
    const res = await visitor.get('/api/catalogue/instruments?pageSize=20');
    expect(res.statusCode).toBe(200);
    expect(res.data.items.length).toBe(20);
    for (const item of res.data.items) expect(item.pictureUrl).toMatch(/^\/api\/files\/[^/]+\/thumb$/);
    const thumb = await t.app.inject({ method: 'GET', url: res.data.items[0].pictureUrl });
    expect(thumb.statusCode).toBe(200);
    expect(thumb.headers['content-type']).toBe('image/webp');
    expect((await sharp(thumb.rawPayload).metadata()).format).toBe('webp');

    // and the instrument's page lists it
    const listed = instruments.find((i) => i.state === 'listed')!;
    const detail = await visitor.get(`/api/instruments/${listed.id}`);
    expect(detail.data.pictures).toHaveLength(1);
    expect(detail.data.pictures[0]).toMatchObject({ mime: 'image/jpeg' });
  }, 120_000);
});

/**
 * Test and benchmark helper: instruments written straight to the database, then indexed the way the
 * instruments module does it (reindexInstrument after the write).
 */
import type { Database } from '../../db/connect';
import { newId } from '../../db/ids';
import type { InstrumentsTable } from '../../db/types';
import { reindexInstruments } from './indexer';

export type InstrumentSeed = Partial<Omit<InstrumentsTable, 'id' | 'orgId'>> & { id?: string; fields?: string[] };

let seq = 0;

/** Inserts instruments of one organisation (listed by default) and indexes them. Returns their ids in order. */
export async function seedInstruments(
  database: Database,
  orgId: string,
  seeds: InstrumentSeed[],
  now = new Date().toISOString(),
): Promise<string[]> {
  const ids: string[] = [];
  await database.db.transaction().execute(async (trx) => {
    for (const s of seeds) {
      const { fields, ...row } = s;
      const id = row.id ?? newId();
      ids.push(id);
      await trx
        .insertInto('instruments')
        .values({
          id,
          orgId,
          internalNo: `T${++seq}-${id.slice(-6)}`,
          name: '仪器',
          nameEn: null,
          categoryCode: '010102',
          model: null,
          manufacturer: null,
          country: null,
          valueFen: null,
          purchaseDate: null,
          startUseDate: null,
          source: null,
          specs: null,
          functions: null,
          serviceContent: null,
          feeStandard: null,
          sharingMode: 'external',
          runStatus: '正常',
          cityCode: null,
          district: null,
          street: null,
          room: null,
          contactName: null,
          contactPhone: null,
          contactEmail: null,
          staffJson: '[]',
          state: 'listed',
          isDisabled: false,
          rejectReason: null,
          serviceCount: 0,
          ratingSum: 0,
          ratingCount: 0,
          searchText: '',
          createdBy: null,
          createdAt: now,
          updatedAt: now,
          listedAt: row.state && row.state !== 'listed' ? null : now,
          ...row,
        })
        .execute();
      if (fields?.length)
        await trx
          .insertInto('instrumentFields')
          .values(fields.map((fieldCode) => ({ instrumentId: id, fieldCode })))
          .execute();
    }
    await reindexInstruments(trx, database.dialect, ids);
  });
  return ids;
}

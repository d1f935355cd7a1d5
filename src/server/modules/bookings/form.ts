/** The consumer's booking form: 保存 (create, update), 删除, 提交 and 撤回. */
import type { FastifyRequest } from 'fastify';
import {
  BOOKING_FIELD_LABELS,
  BOOKING_STATE_LABEL,
  bookingDay,
  formatBookingNo,
  missingForSubmit,
  type BookingState,
} from '../../../domain/booking';
import { badInput, conflict } from '../../../domain/errors';
import { shanghaiDate } from '../../../domain/instrument';
import type { BookingFieldsT } from '../../../contracts/bookings';
import type { Db } from '../../db/connect';
import { nextInSeries } from '../../db/counters';
import { newId } from '../../db/ids';
import { writeAtCommit } from '../../db/pg-trips';
import type { Deps } from '../../deps';
import { auditCtx } from '../../http/session';
import { record } from '../audit/service';
import { inVisibleBooking, KIND, loadVisible, type BookingRow } from './access';
import { LIABILITY_KEY, liabilityFrom, liabilityText } from './liability';
import { checkPicked, pickInstruments, type Picked } from './picking';
import { apply, decide, decideOn } from './transition';

export const clean = (v: string | null | undefined) => (v && v.trim() ? v.trim() : null);

// ------------------------------------------------------------------ numbers and search text

/** The next number of the day: unique, and never reused (also after a draft is deleted). */
async function nextNo(trx: Db, now: Date): Promise<string> {
  const day = bookingDay(now);
  return formatBookingNo(day, await nextInSeries(trx, `booking:${day}`));
}

/**
 * The booking's search text: its number, both organisations' names (read only when not known), its instruments and
 * its project.
 */
async function searchText(
  trx: Db,
  no: string,
  orgs: { id: string; name?: string | null }[],
  instrumentNames: string[],
  f: BookingFieldsT,
) {
  const unknown = orgs.filter((o) => !o.name).map((o) => o.id);
  const read = unknown.length
    ? await trx.selectFrom('organizations').select(['id', 'name']).where('id', 'in', unknown).execute()
    : [];
  const names = orgs.map((o) => o.name ?? read.find((r) => r.id === o.id)?.name ?? '');
  return [no, ...names, ...instrumentNames, f.projectName ?? '', f.projectNo ?? ''].join(' ').toLowerCase();
}

const formColumns = (f: BookingFieldsT) => ({
  samplesJson: JSON.stringify(f.samples ?? []),
  purpose: clean(f.purpose),
  expectedFrom: f.expectedFrom ?? null,
  expectedTo: f.expectedTo ?? null,
  projectName: clean(f.projectName),
  projectNo: clean(f.projectNo),
  projectSource: clean(f.projectSource),
  projectFundingFen: f.projectFundingFen ?? null,
  contactName: clean(f.contactName),
  contactPhone: clean(f.contactPhone),
  contactEmail: clean(f.contactEmail),
  remark: clean(f.remark),
});

function dateErrors(f: BookingFieldsT) {
  if (f.expectedFrom && f.expectedTo && f.expectedTo < f.expectedFrom)
    throw badInput('BOOKING_INVALID', '期望完成日期不能早于开始日期', { expectedTo: '不能早于开始日期' });
}

/** The booking's items replaced: nothing reads them back in the form's transaction (sent with its commit). */
async function writeItems(trx: Db, bookingId: string, f: BookingFieldsT, picked: Picked[]) {
  await writeAtCommit(trx, trx.deleteFrom('bookingItems').where('bookingId', '=', bookingId));
  const tests = new Map(f.instruments.map((i) => [i.instrumentId, clean(i.testItems)]));
  await writeAtCommit(
    trx,
    trx.insertInto('bookingItems').values(
      picked.map((p, k) => ({
        bookingId,
        instrumentId: p.id,
        sort: k,
        testItems: tests.get(p.id) ?? null,
        resultText: null,
        machineHours: null,
        feesJson: '[]',
        subtotalFen: 0,
      })),
    ),
  );
}

// ------------------------------------------------------------------ consumer: the form

export const saveReply = (r: { id: string; no: string; state: BookingState; version: number }) => ({
  id: r.id,
  no: r.no,
  state: r.state,
  stateLabel: BOOKING_STATE_LABEL[r.state],
  version: r.version,
});

/** 保存 of a new booking: a draft (待提交) of the caller's organisation with a number of its own. */
export async function create(deps: Deps, req: FastifyRequest, f: BookingFieldsT) {
  const { db } = deps.database;
  const ctx = auditCtx(deps, req);
  const actor = req.actor!;
  dateErrors(f);
  const p = await pickInstruments(
    db,
    f.instruments.map((i) => i.instrumentId),
    actor.org!.id,
  );
  return db.transaction().execute(async (trx) => {
    const now = ctx.now.toISOString();
    const id = newId();
    const no = await nextNo(trx, ctx.now);
    const text = await searchText(
      trx,
      no,
      [actor.org!, { id: p.providerOrgId, name: p.providerName }],
      p.rows.map((r) => r.name),
      f,
    );
    // the booking, its items and its history go with the commit: nothing reads them back before
    await writeAtCommit(
      trx,
      trx.insertInto('bookings').values({
        id,
        no,
        consumerOrgId: actor.org!.id,
        providerOrgId: p.providerOrgId,
        applicantId: actor.userId,
        state: 'draft',
        version: 1,
        ...formColumns(f),
        liabilityText: null,
        liabilityAcceptedAt: null,
        plannedTestDate: null,
        declineReason: null,
        otherFeeFen: 0,
        otherFeeNote: null,
        totalFeeFen: 0,
        resultNote: null,
        searchText: text,
        createdAt: now,
        updatedAt: now,
        submittedAt: null,
        acceptedAt: null,
        resultsAt: null,
        completedAt: null,
        hasOtherSubsidy: null,
      }),
    );
    await writeItems(trx, id, f, p.rows);
    await writeAtCommit(
      trx,
      trx.insertInto('bookingEvents').values({
        id: newId(),
        bookingId: id,
        actorId: actor.userId,
        actorName: actor.realName,
        orgId: actor.org!.id,
        orgName: actor.org!.name,
        action: 'create',
        fromState: null,
        toState: 'draft',
        comment: null,
        at: now,
      }),
    );
    await record(trx, ctx, {
      action: 'booking.create',
      subjectKind: KIND,
      subjectId: id,
      toState: 'draft',
      orgId: actor.org!.id,
      detail: { no },
    });
    return saveReply({ id, no, state: 'draft', version: 1 });
  });
}

/** 保存 of a draft: the form again, instruments included (still of one organisation). */
export async function update(deps: Deps, req: FastifyRequest, id: string, f: BookingFieldsT) {
  const ctx = auditCtx(deps, req);
  const { row } = await loadVisible(deps, req, id);
  dateErrors(f);
  const p = await pickInstruments(
    deps.database.db,
    f.instruments.map((i) => i.instrumentId),
    row.consumerOrgId,
  );
  return deps.database.db.transaction().execute(async (trx) => {
    const d = await decide(trx, req.actor, id, 'save');
    const set = {
      ...formColumns(f),
      providerOrgId: p.providerOrgId,
      searchText: await searchText(
        trx,
        d.row.no,
        [
          { id: d.row.consumerOrgId, name: req.actor?.org?.id === d.row.consumerOrgId ? req.actor.org.name : null },
          { id: p.providerOrgId, name: p.providerName },
        ],
        p.rows.map((r) => r.name),
        f,
      ),
    };
    const next = await apply(deps, trx, ctx, d.row, { action: 'save', to: 'draft', set, tell: null });
    await writeItems(trx, id, f, p.rows);
    return saveReply(next);
  });
}

/** 删除 of a draft, with its items and history; the number is not reused. */
export async function remove(deps: Deps, req: FastifyRequest, id: string) {
  const ctx = auditCtx(deps, req);
  await inVisibleBooking(deps, req, id, async (trx, row) => {
    const d = decideOn(row, req.actor, 'delete');
    const res = await trx
      .deleteFrom('bookings')
      .where('id', '=', id)
      .where('state', '=', 'draft')
      .where('version', '=', d.row.version)
      .executeTakeFirst();
    if (Number(res.numDeletedRows) !== 1) throw conflict('BOOKING_CHANGED', '预约单已变化，请刷新后重试');
    await record(trx, ctx, {
      action: 'booking.delete',
      subjectKind: KIND,
      subjectId: id,
      fromState: 'draft',
      orgId: d.row.consumerOrgId,
      detail: { no: d.row.no },
    });
  });
  return { ok: true as const };
}

/**
 * What 提交 checks, in one statement: the booking's items with their instruments (as pickInstruments reads them)
 * and the 责任说明 in force; and the stored form in the shape the submit check reads.
 */
async function submitRead(trx: Db, row: BookingRow) {
  const rows = await trx
    .selectFrom('bookingItems')
    .leftJoin('instruments', 'instruments.id', 'bookingItems.instrumentId')
    .leftJoin('organizations', 'organizations.id', 'instruments.orgId')
    .select([
      'bookingItems.instrumentId',
      'bookingItems.testItems',
      'instruments.name',
      'instruments.orgId',
      'organizations.name as orgName',
      'instruments.state',
      'instruments.isDisabled',
      (eb) =>
        eb.selectFrom('siteSettings').select('siteSettings.valueJson').where('key', '=', LIABILITY_KEY).as('liability'),
    ])
    .where('bookingItems.bookingId', '=', row.id)
    .orderBy('bookingItems.sort')
    .execute();
  const items = rows.map((r) => ({ instrumentId: r.instrumentId, testItems: r.testItems }));
  const instruments = rows.flatMap((r) =>
    r.name == null
      ? []
      : [
          {
            id: r.instrumentId,
            name: r.name,
            orgId: r.orgId!,
            orgName: r.orgName!,
            state: r.state!,
            isDisabled: r.isDisabled,
          },
        ],
  );
  const samples = (
    typeof row.samplesJson === 'string' ? JSON.parse(row.samplesJson) : (row.samplesJson ?? [])
  ) as BookingFieldsT['samples'];
  return {
    items,
    instruments,
    liability: rows.length ? liabilityFrom(rows[0].liability) : null,
    draft: {
      instruments: items,
      samples: samples.map((s) => ({
        name: s.name,
        quantity: s.quantity ?? null,
        unit: s.unit ?? null,
        form: s.form ?? null,
        hazards: s.hazards ?? null,
        disposal: s.disposal ?? null,
      })),
      purpose: row.purpose,
      expectedFrom: row.expectedFrom,
      expectedTo: row.expectedTo,
      projectName: row.projectName,
      projectSource: row.projectSource,
      contactName: row.contactName,
      contactPhone: row.contactPhone,
    },
  };
}

/** 提交: the form must be complete, the instruments still bookable, and the 责任说明 accepted; → 待受理. */
export async function submit(deps: Deps, req: FastifyRequest, id: string) {
  const ctx = auditCtx(deps, req);
  return inVisibleBooking(deps, req, id, async (trx, row) => {
    const d = decideOn(row, req.actor, 'submit');
    const { items, instruments, liability, draft } = await submitRead(trx, d.row);
    const missing = missingForSubmit(draft, shanghaiDate(ctx.now));
    if (Object.keys(missing).length) {
      const names = [
        ...new Set(
          Object.keys(missing).map(
            (k) =>
              BOOKING_FIELD_LABELS[k.replace(/^(\w+)\.\d+\.(\w+)$/, '$2') as keyof typeof BOOKING_FIELD_LABELS] ??
              BOOKING_FIELD_LABELS[k.split('.')[0] as keyof typeof BOOKING_FIELD_LABELS] ??
              k,
          ),
        ),
      ];
      throw badInput('BOOKING_INCOMPLETE', `请完善以下信息后再提交：${names.join('、')}`, missing);
    }
    checkPicked([...new Set(items.map((i) => i.instrumentId))], instruments, d.row.consumerOrgId);
    const names = instruments.map((r) => r.name).join('、');
    // the consumer's member submits: the organisation's name came with the session
    const consumer =
      req.actor?.org?.id === d.row.consumerOrgId
        ? req.actor.org
        : await trx
            .selectFrom('organizations')
            .select('name')
            .where('id', '=', d.row.consumerOrgId)
            .executeTakeFirstOrThrow();
    const next = await apply(deps, trx, ctx, d.row, {
      action: 'submit',
      to: 'submitted',
      set: {
        liabilityText: liability ?? (await liabilityText(trx)),
        liabilityAcceptedAt: ctx.now.toISOString(),
        submittedAt: ctx.now.toISOString(),
      },
      tell: {
        title: `新的预约申请 ${d.row.no}`,
        body: `${consumer.name}提交了预约单 ${d.row.no}（${names}），请及时受理。`,
      },
    });
    return saveReply(next);
  });
}

/** 撤回: the consumer takes back a booking the provider has not accepted yet. */
export async function withdraw(deps: Deps, req: FastifyRequest, id: string, comment: string | null) {
  const ctx = auditCtx(deps, req);
  return inVisibleBooking(deps, req, id, async (trx, row) => {
    const d = decideOn(row, req.actor, 'withdraw');
    return saveReply(
      await apply(deps, trx, ctx, d.row, {
        action: 'withdraw',
        to: 'withdrawn',
        comment: clean(comment),
        tell: {
          title: `预约单已撤回 ${d.row.no}`,
          body: `委托方已撤回预约单 ${d.row.no}${clean(comment) ? `，说明：${clean(comment)}` : ''}。`,
        },
      }),
    );
  });
}

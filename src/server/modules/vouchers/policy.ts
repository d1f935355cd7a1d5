/** Voucher policy versions (the province department's settings): a claim uses the version in force at settlement. */
import type { FastifyRequest } from 'fastify';
import { badInput, conflict } from '../../../domain/errors';
import { shanghaiDate } from '../../../domain/instrument';
import { policyErrors, policyInForce, type VoucherPolicy } from '../../../domain/voucher';
import { isUniqueViolation, type Db } from '../../db/connect';
import { newId } from '../../db/ids';
import type { Deps } from '../../deps';
import { auditCtx } from '../../http/session';
import { record } from '../audit/service';

export interface PolicyVersion {
  id: string;
  effectiveFrom: string;
  note: string | null;
  createdAt: string;
  createdBy: string | null;
  policy: VoucherPolicy;
}

const parse = (v: unknown): VoucherPolicy => (typeof v === 'string' ? JSON.parse(v) : v) as VoucherPolicy;

export async function versions(db: Db): Promise<PolicyVersion[]> {
  const rows = await db
    .selectFrom('voucherPolicies')
    .leftJoin('users', 'users.id', 'voucherPolicies.createdBy')
    .select([
      'voucherPolicies.id',
      'voucherPolicies.effectiveFrom',
      'voucherPolicies.note',
      'voucherPolicies.createdAt',
      'users.realName as createdBy',
      'voucherPolicies.policyJson',
    ])
    .orderBy('voucherPolicies.effectiveFrom', 'desc')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    effectiveFrom: r.effectiveFrom,
    note: r.note,
    createdAt: r.createdAt,
    createdBy: r.createdBy,
    policy: parse(r.policyJson),
  }));
}

/** The version in force on a day (China time). The migration seeds one from 2020-01-01, so there always is one. */
export async function policyOn(db: Db, day: string): Promise<PolicyVersion> {
  const v = policyInForce(await versions(db), day);
  if (!v) throw new Error(`no voucher policy in force on ${day}`);
  return v;
}

export async function list(deps: Deps) {
  const today = shanghaiDate(deps.clock.now());
  const all = await versions(deps.database.db);
  const current = policyInForce(all, today);
  return all.map((v) => ({
    id: v.id,
    effectiveFrom: v.effectiveFrom,
    note: v.note,
    createdAt: v.createdAt,
    createdBy: v.createdBy,
    inForce: v.id === current?.id,
    ...v.policy,
  }));
}

/**
 * A new version, effective from today or a later day. Versions in force or past are never changed, so existing
 * claims keep the rules they were computed with; a future version may be replaced by adding one with the same day
 * only after deleting it — here it is simply refused.
 */
export async function add(
  deps: Deps,
  req: FastifyRequest,
  body: { effectiveFrom: string; note?: string | null } & VoucherPolicy,
) {
  const { db } = deps.database;
  const ctx = auditCtx(deps, req);
  const today = shanghaiDate(ctx.now);
  if (body.effectiveFrom < today)
    throw badInput('POLICY_IN_PAST', '生效日期不能早于今天：已生效的政策不能修改', { effectiveFrom: '不能早于今天' });
  const cities = (await db.selectFrom('cities').select('code').where('isInProvince', '=', true).execute()).map(
    (c) => c.code,
  );
  const policy: VoucherPolicy = { provincial: body.provincial, municipal: body.municipal };
  const errors = policyErrors(policy, cities);
  if (Object.keys(errors).length) throw badInput('POLICY_INVALID', '创新券政策设置有误，请检查标注的项目', errors);
  const id = newId();
  try {
    await db.transaction().execute(async (trx) => {
      await trx
        .insertInto('voucherPolicies')
        .values({
          id,
          effectiveFrom: body.effectiveFrom,
          policyJson: JSON.stringify(policy),
          note: body.note?.trim() || null,
          createdBy: ctx.actor!.userId,
          createdAt: ctx.now.toISOString(),
        })
        .execute();
      await record(trx, ctx, {
        action: 'voucher.policy.add',
        subjectKind: 'voucher_policy',
        subjectId: id,
        detail: { effectiveFrom: body.effectiveFrom },
      });
    });
  } catch (e) {
    if (isUniqueViolation(e))
      throw conflict('POLICY_DAY_TAKEN', '该生效日期已有政策版本', { effectiveFrom: '该日期已有政策版本' });
    throw e;
  }
  return (await list(deps)).find((v) => v.id === id)!;
}

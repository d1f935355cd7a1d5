import { describe, expect, it } from 'vitest';
import { bindProblem, isOpen, rejectReason, roleChangeProblem, unbindProblem, type PersonFacts } from './binding';

const free: PersonFacts = { currentOrgId: null, isLegalOfCurrent: false, pendingRequest: null };

describe('bindProblem', () => {
  it('lets an unbound person without a pending request apply to an approved organisation', () => {
    expect(bindProblem(free, 'o1', true)).toBeNull();
  });

  it('refuses an organisation that has not joined', () => {
    const p = bindProblem(free, 'o1', false);
    expect(p?.code).toBe('ORG_NOT_APPROVED');
    expect(p?.kind).toBe('rule');
  });

  it('refuses a second organisation while bound: unbind first', () => {
    const p = bindProblem({ ...free, currentOrgId: 'o2' }, 'o1', true);
    expect(p?.code).toBe('ALREADY_BOUND');
    expect(p?.kind).toBe('conflict');
    expect(p?.message).toContain('解除绑定');
  });

  it('refuses the organisation the person is already bound to', () => {
    const p = bindProblem({ ...free, currentOrgId: 'o1' }, 'o1', true);
    expect(p?.code).toBe('ALREADY_BOUND');
    expect(p?.message).toBe('您已绑定该单位');
  });

  it('allows one pending request at a time, whatever its kind or organisation', () => {
    for (const pending of [
      { kind: 'bind' as const, orgId: 'o1' },
      { kind: 'bind' as const, orgId: 'o9' },
      { kind: 'unbind' as const, orgId: 'o2' },
    ]) {
      const p = bindProblem({ ...free, pendingRequest: pending }, 'o1', true);
      expect(p?.code).toBe('BINDING_PENDING');
      expect(p?.kind).toBe('conflict');
    }
  });

  it('names the pending request before the organisation state', () => {
    expect(bindProblem({ ...free, pendingRequest: { kind: 'bind', orgId: 'o3' } }, 'o1', false)?.code).toBe(
      'BINDING_PENDING',
    );
  });
});

describe('unbindProblem', () => {
  const bound: PersonFacts = { currentOrgId: 'o1', isLegalOfCurrent: false, pendingRequest: null };

  it('lets a bound member without a pending request apply to unbind', () => {
    expect(unbindProblem(bound)).toBeNull();
  });

  it('refuses a person who is not bound', () => {
    expect(unbindProblem(free)?.code).toBe('NOT_BOUND');
  });

  it('refuses the legal representative account', () => {
    const p = unbindProblem({ ...bound, isLegalOfCurrent: true });
    expect(p?.code).toBe('LEGAL_CANNOT_UNBIND');
    expect(p?.kind).toBe('rule');
  });

  it('refuses while another request is pending', () => {
    expect(unbindProblem({ ...bound, pendingRequest: { kind: 'unbind', orgId: 'o1' } })?.code).toBe('BINDING_PENDING');
  });
});

describe('decisions and roles', () => {
  it('only pending requests are open', () => {
    expect(isOpen('pending')).toBe(true);
    for (const s of ['approved', 'rejected', 'cancelled'] as const) expect(isOpen(s)).toBe(false);
  });

  it('a rejection reason must have content', () => {
    expect(rejectReason(undefined)).toBeNull();
    expect(rejectReason('   ')).toBeNull();
    expect(rejectReason('  不是本单位职工 ')).toBe('不是本单位职工');
  });

  it('the legal representative changes roles of own members only, never the legal account', () => {
    const actor = { userId: 'L', orgId: 'o1' };
    expect(roleChangeProblem(actor, { userId: 'u1', orgId: 'o1', role: 'member' })).toBeNull();
    expect(roleChangeProblem(actor, { userId: 'u1', orgId: 'o1', role: 'admin' })).toBeNull();
    expect(roleChangeProblem(actor, { userId: 'u1', orgId: 'o2', role: 'member' })?.code).toBe('NOT_A_MEMBER');
    expect(roleChangeProblem(actor, null)?.code).toBe('NOT_A_MEMBER');
    expect(roleChangeProblem(actor, { userId: 'L', orgId: 'o1', role: 'legal' })?.code).toBe('LEGAL_ROLE_FIXED');
    expect(roleChangeProblem(actor, { userId: 'x', orgId: 'o1', role: 'legal' })?.code).toBe('LEGAL_ROLE_FIXED');
  });
});

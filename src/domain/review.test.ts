import { describe, expect, it } from 'vitest';
import {
  isOpenReview,
  nextReviewStep,
  REVIEW_STATE_LABEL,
  type ReviewAction,
  type ReviewPosition,
  type ReviewState,
} from './review';

const STATES: ReviewState[] = ['pending', 'returned', 'approved', 'rejected', 'withdrawn'];
const ACTIONS: ReviewAction[] = ['approve', 'reject', 'return', 'resubmit', 'withdraw'];
const at = (state: ReviewState, level = 1, levels = 1, canReturn = false): ReviewPosition => ({
  state,
  level,
  levels,
  canReturn,
});

/** The machine as a table: from × action → to (for the last level, with returning allowed). */
const TABLE: Record<ReviewState, Partial<Record<ReviewAction, ReviewState>>> = {
  pending: { approve: 'approved', reject: 'rejected', return: 'returned', withdraw: 'withdrawn' },
  returned: { resubmit: 'pending' },
  approved: {},
  rejected: {},
  withdrawn: {},
};

describe('the review machine', () => {
  it('follows the table for every state and action', () => {
    for (const s of STATES) {
      for (const a of ACTIONS) {
        const step = nextReviewStep(at(s, 1, 1, true), a);
        expect(step?.state ?? null, `${s} × ${a}`).toBe(TABLE[s][a] ?? null);
      }
    }
  });

  it('approving a level before the last moves the review up one level, still pending', () => {
    expect(nextReviewStep(at('pending', 1, 2), 'approve')).toEqual({ state: 'pending', level: 2, needsReason: false });
    expect(nextReviewStep(at('pending', 2, 3), 'approve')).toEqual({ state: 'pending', level: 3, needsReason: false });
    expect(nextReviewStep(at('pending', 2, 2), 'approve')).toEqual({ state: 'approved', level: 2, needsReason: false });
    expect(nextReviewStep(at('pending', 1, 1), 'approve')).toEqual({ state: 'approved', level: 1, needsReason: false });
  });

  it('rejecting and returning need a reason and stay at the level', () => {
    expect(nextReviewStep(at('pending', 2, 2), 'reject')).toEqual({ state: 'rejected', level: 2, needsReason: true });
    expect(nextReviewStep(at('pending', 1, 2, true), 'return')).toEqual({
      state: 'returned',
      level: 1,
      needsReason: true,
    });
  });

  it('returns only where the kind allows it', () => {
    expect(nextReviewStep(at('pending', 1, 2, false), 'return')).toBeNull();
  });

  it('a resubmitted review goes back to the level that returned it', () => {
    expect(nextReviewStep(at('returned', 2, 2, true), 'resubmit')).toEqual({
      state: 'pending',
      level: 2,
      needsReason: false,
    });
  });

  it('the owner withdraws only while pending', () => {
    expect(nextReviewStep(at('pending', 1, 2), 'withdraw')).toEqual({
      state: 'withdrawn',
      level: 1,
      needsReason: false,
    });
    expect(nextReviewStep(at('returned', 1, 2, true), 'withdraw')).toBeNull();
  });

  it('final states have no way out', () => {
    for (const s of ['approved', 'rejected', 'withdrawn'] as const) {
      for (const a of ACTIONS) expect(nextReviewStep(at(s, 1, 2, true), a), `${s} × ${a}`).toBeNull();
      expect(isOpenReview(s)).toBe(false);
    }
    expect(isOpenReview('pending')).toBe(true);
    expect(isOpenReview('returned')).toBe(true);
  });

  it('random walks keep the level within bounds and approve only at the last level', () => {
    let seed = 42;
    const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    for (let walk = 0; walk < 500; walk++) {
      const levels = 1 + rnd(3);
      let pos = at('pending', 1, levels, rnd(2) === 1);
      for (let i = 0; i < 20; i++) {
        const step = nextReviewStep(pos, ACTIONS[rnd(ACTIONS.length)]);
        if (!step) continue;
        expect(step.level).toBeGreaterThanOrEqual(pos.level);
        expect(step.level).toBeLessThanOrEqual(levels);
        if (step.state === 'approved') expect(step.level).toBe(levels);
        if (step.state === 'returned') expect(pos.canReturn).toBe(true);
        pos = { ...pos, state: step.state, level: step.level };
      }
    }
  });

  it('names every state in Chinese', () => {
    expect(Object.keys(REVIEW_STATE_LABEL).sort()).toEqual([...STATES].sort());
    expect(REVIEW_STATE_LABEL.pending).toBe('待审核');
    expect(REVIEW_STATE_LABEL.returned).toBe('已退回');
  });
});

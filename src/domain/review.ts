/**
 * The one review machine: every reviewed subject (organisation joining, organisation change,
 * instrument, post, voucher claim) moves through it. A review has one or more levels; each level
 * is handled by a department. Returning sends it to the owner; resubmitting brings it back to the
 * level that returned it.
 */
export type ReviewState = 'pending' | 'returned' | 'approved' | 'rejected' | 'withdrawn';
export type ReviewAction = 'approve' | 'reject' | 'return' | 'resubmit' | 'withdraw';

export const REVIEW_STATE_LABEL: Record<ReviewState, string> = {
  pending: '待审核',
  returned: '已退回',
  approved: '审核通过',
  rejected: '未通过',
  withdrawn: '已撤回',
};

export interface ReviewPosition {
  state: ReviewState;
  level: number;
  levels: number;
  canReturn: boolean;
}
export interface ReviewStep {
  state: ReviewState;
  level: number;
  needsReason: boolean;
}

export function nextReviewStep(r: ReviewPosition, action: ReviewAction): ReviewStep | null {
  switch (action) {
    case 'approve':
      if (r.state !== 'pending') return null;
      return r.level < r.levels
        ? { state: 'pending', level: r.level + 1, needsReason: false }
        : { state: 'approved', level: r.level, needsReason: false };
    case 'reject':
      return r.state === 'pending' ? { state: 'rejected', level: r.level, needsReason: true } : null;
    case 'return':
      return r.state === 'pending' && r.canReturn ? { state: 'returned', level: r.level, needsReason: true } : null;
    case 'resubmit':
      return r.state === 'returned' ? { state: 'pending', level: r.level, needsReason: false } : null;
    case 'withdraw':
      return r.state === 'pending' ? { state: 'withdrawn', level: r.level, needsReason: false } : null;
  }
}

export const isOpenReview = (s: ReviewState) => s === 'pending' || s === 'returned';

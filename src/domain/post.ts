/**
 * Supply/demand posts (供需发布, manual §5): states, the machine, and public visibility. Pure: no I/O.
 * A published post that is edited goes back to review while its published version stays visible; 停用 hides it;
 * 启用 sends it to review again (hidden until approved). A post past its valid-until day is not public.
 */
export type PostKind = 'demand' | 'supply';
export const POST_KIND_LABEL: Record<PostKind, string> = { demand: '需求', supply: '供给' };

export type PostState = 'draft' | 'pending' | 'published' | 'rejected' | 'disabled';
export const POST_STATE_LABEL: Record<PostState, string> = {
  draft: '草稿',
  pending: '待审核',
  published: '已发布',
  rejected: '未通过',
  disabled: '已停用',
};

export type PostAction = 'save' | 'submit' | 'approve' | 'reject' | 'disable' | 'enable' | 'delete';
export interface PostPosition {
  state: PostState;
  isVisible: boolean;
  everPublished: boolean;
}
export type PostStep = { state: PostState; isVisible: boolean; review: boolean } | 'gone';

/** from × action → to; null when refused. `review` = the step opens a review. */
export function nextPostStep(p: PostPosition, action: PostAction): PostStep | null {
  const { state, isVisible } = p;
  switch (action) {
    case 'save':
      if (state === 'draft' || state === 'rejected') return { state, isVisible, review: false };
      // an edit of a published post is reviewed again; the published version stays visible meanwhile
      if (state === 'published') return { state: 'pending', isVisible, review: true };
      if (state === 'disabled') return { state: 'disabled', isVisible: false, review: false };
      return null;
    case 'submit':
      return state === 'draft' || state === 'rejected' ? { state: 'pending', isVisible, review: true } : null;
    case 'approve':
      return state === 'pending' ? { state: 'published', isVisible: true, review: false } : null;
    case 'reject':
      return state === 'pending' ? { state: 'rejected', isVisible, review: false } : null;
    case 'disable':
      return state !== 'disabled' && state !== 'draft' && isVisible
        ? { state: 'disabled', isVisible: false, review: false }
        : null;
    case 'enable':
      return state === 'disabled' ? { state: 'pending', isVisible: false, review: true } : null;
    case 'delete':
      return (state === 'draft' || state === 'rejected') && !p.everPublished ? 'gone' : null;
  }
}

export function postRefusal(p: PostPosition, action: PostAction): string {
  if (p.state === 'pending' && action !== 'disable') return '信息正在审核中，暂不能操作，请等待主管部门审核';
  switch (action) {
    case 'submit':
      return p.state === 'published' ? '已发布的信息修改后会自动提交审核' : '当前状态不能提交';
    case 'disable':
      return p.state === 'disabled' ? '信息已停用' : '只有已发布的信息可以停用';
    case 'enable':
      return '只有已停用的信息可以启用';
    case 'delete':
      return p.everPublished ? '发布过的信息不能删除，可以停用' : '只有草稿或未通过的信息可以删除';
    default:
      return '当前状态不能执行该操作';
  }
}

/** The owner's buttons. */
export const postActions = (p: PostPosition): ('save' | 'submit' | 'disable' | 'enable' | 'delete')[] =>
  (['save', 'submit', 'disable', 'enable', 'delete'] as const).filter((a) => nextPostStep(p, a) !== null);

/** Public: visible and not past its valid-until day (China time). */
export const isPublicPost = (isVisible: boolean, validUntil: string, today: string) => isVisible && validUntil >= today;

import { describe, expect, it } from 'vitest';
import { isPublicPost, nextPostStep, postActions, type PostAction, type PostState } from './post';

const at = (state: PostState, isVisible = false, everPublished = false) => ({ state, isVisible, everPublished });

describe('the post machine', () => {
  it('draft → pending → published; an edit of a published post is reviewed while the old version stays visible', () => {
    expect(nextPostStep(at('draft'), 'submit')).toEqual({ state: 'pending', isVisible: false, review: true });
    expect(nextPostStep(at('pending'), 'approve')).toEqual({ state: 'published', isVisible: true, review: false });
    expect(nextPostStep(at('published', true, true), 'save')).toEqual({
      state: 'pending',
      isVisible: true,
      review: true,
    });
    expect(nextPostStep(at('pending', true, true), 'reject')).toEqual({
      state: 'rejected',
      isVisible: true,
      review: false,
    });
  });

  it('停用 hides; 启用 goes to review hidden', () => {
    expect(nextPostStep(at('published', true, true), 'disable')).toEqual({
      state: 'disabled',
      isVisible: false,
      review: false,
    });
    expect(nextPostStep(at('disabled', false, true), 'enable')).toEqual({
      state: 'pending',
      isVisible: false,
      review: true,
    });
  });

  it('refuses every other pair', () => {
    const legal = new Set([
      'draft/save',
      'draft/submit',
      'draft/delete',
      'rejected/save',
      'rejected/submit',
      'rejected/delete',
      'pending/approve',
      'pending/reject',
      'published/save',
      'published/disable',
      'disabled/save',
      'disabled/enable',
    ]);
    const actions: PostAction[] = ['save', 'submit', 'approve', 'reject', 'disable', 'enable', 'delete'];
    for (const s of ['draft', 'pending', 'published', 'rejected', 'disabled'] as PostState[]) {
      for (const a of actions) {
        const visible = s === 'published';
        expect(nextPostStep(at(s, visible, visible), a) !== null, `${s}/${a}`).toBe(legal.has(`${s}/${a}`));
      }
    }
    // a rejected edit of a published post keeps its public version: it can be disabled, not deleted
    expect(nextPostStep(at('rejected', true, true), 'delete')).toBeNull();
    expect(nextPostStep(at('rejected', true, true), 'disable')).not.toBeNull();
  });

  it('buttons and public visibility', () => {
    expect(postActions(at('draft'))).toEqual(['save', 'submit', 'delete']);
    expect(postActions(at('published', true, true))).toEqual(['save', 'disable']);
    expect(isPublicPost(true, '2026-11-29', '2026-11-29')).toBe(true);
    expect(isPublicPost(true, '2026-11-28', '2026-11-29')).toBe(false);
    expect(isPublicPost(false, '2027-01-01', '2026-11-29')).toBe(false);
  });
});

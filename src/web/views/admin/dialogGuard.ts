import { ref, watch } from 'vue';
import { confirmLeave, useUnsavedChanges } from '@/composables/useUnsavedChanges';

/**
 * Unsaved changes in an editing dialog: leaving the page asks, and so does closing the dialog with × or Esc
 * (its `before-close`). The form is compared with what it held when the dialog opened.
 */
export function useDialogGuard(open: () => boolean, snapshot: () => string) {
  const opened = ref('');
  watch(open, (o) => {
    if (o) opened.value = snapshot();
  });
  const dirty = () => open() && snapshot() !== opened.value;
  useUnsavedChanges(dirty);
  async function beforeClose(done: () => void) {
    if (!dirty() || (await confirmLeave())) done();
  }
  return { dirty, beforeClose };
}

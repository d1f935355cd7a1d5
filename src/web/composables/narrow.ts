import { onBeforeUnmount, onMounted, ref } from 'vue';

/** True on phone-width screens, where tables become cards. */
export function useNarrow(px = 768) {
  const mq = typeof window !== 'undefined' ? window.matchMedia(`(max-width: ${px}px)`) : null;
  const narrow = ref(mq?.matches ?? false);
  const on = (e: MediaQueryListEvent) => {
    narrow.value = e.matches;
  };
  onMounted(() => mq?.addEventListener('change', on));
  onBeforeUnmount(() => mq?.removeEventListener('change', on));
  return narrow;
}

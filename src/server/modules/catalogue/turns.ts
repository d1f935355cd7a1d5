/**
 * Searches take turns. Each search's synchronous work (finding, counting, ordering: a few milliseconds) runs in an
 * event-loop turn of its own, one search per turn, so that the I/O of other requests — writes above all, whose
 * body, queries and reply each wait for a turn — is served between two searches instead of after every search
 * that arrived with them. Without it, 16 searches that arrive together run back to back, and a write's every step
 * waits for all of them (docs/decisions/0002-live-catalogue.md).
 */
const waiting: (() => void)[] = [];
let scheduled = false;

function next() {
  scheduled = false;
  waiting.shift()?.();
  if (waiting.length) {
    scheduled = true;
    setImmediate(next);
  }
}

/** Resolves when it is this search's turn; the code after the await runs before any other I/O. */
export function turn(): Promise<void> {
  return new Promise((resolve) => {
    waiting.push(resolve);
    if (!scheduled) {
      scheduled = true;
      setImmediate(next);
    }
  });
}

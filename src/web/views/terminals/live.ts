import { ref, type Ref } from 'vue';
import { get } from '@/api/client';

export type LiveStatusT = 'in_use' | 'idle' | 'off' | 'offline' | 'none';
export interface InstrumentLiveT {
  instrumentId: string;
  needsTerminal: boolean;
  hasTerminal: boolean;
  status: LiveStatusT;
  lastMessageAt: string | null;
  clockSkewed: boolean;
}

/** The live status of many instruments (the result cards of a page): asked for together, 20 per request. */
const pending = new Map<string, Ref<InstrumentLiveT | null>[]>();
let timer: ReturnType<typeof setTimeout> | null = null;

async function flush() {
  timer = null;
  const ids = [...pending.keys()];
  const waiting = new Map(pending);
  pending.clear();
  for (let i = 0; i < ids.length; i += 20) {
    const part = ids.slice(i, i + 20);
    try {
      const r = await get<{ items: InstrumentLiveT[] }>('/terminals/live', { ids: part.join(',') });
      for (const item of r.items) for (const target of waiting.get(item.instrumentId) ?? []) target.value = item;
    } catch {
      /* no badge */
    }
  }
}

export function liveOf(instrumentId: string): Ref<InstrumentLiveT | null> {
  const target = ref<InstrumentLiveT | null>(null);
  pending.set(instrumentId, [...(pending.get(instrumentId) ?? []), target]);
  timer ??= setTimeout(() => void flush(), 0);
  return target;
}

/** Hours with one decimal, from seconds. */
export const hours = (seconds: number) => (Math.round(seconds / 360) / 10).toFixed(1);

import { ref, type Ref } from 'vue';
import { get } from '@/api/client';
import type { LiveStatusT } from './live';

export interface TerminalT {
  id: string;
  instrumentId: string;
  instrumentName: string;
  label: string | null;
  isDisabled: boolean;
  keyVersion: number;
  createdAt: string;
  keyRotatedAt: string | null;
  status: LiveStatusT;
  lastMessageAt: string | null;
  clockSkewed: boolean;
}
export interface MyInstrumentTerminalT {
  instrumentId: string;
  name: string;
  valueFen: number;
  needsTerminal: boolean;
  terminal: TerminalT | null;
  todayInUseSeconds: number;
  todayPoweredSeconds: number;
}
export interface MyTerminalsT {
  thresholdFen: number;
  items: MyInstrumentTerminalT[];
}

/** /terminals/mine, asked once per page view by all the rows that show it. */
let shared: { at: number; value: Ref<Map<string, MyInstrumentTerminalT> | null> } | null = null;
export function myTerminals() {
  if (!shared || Date.now() - shared.at > 5000) {
    const value = ref<Map<string, MyInstrumentTerminalT> | null>(null);
    shared = { at: Date.now(), value };
    get<MyTerminalsT>('/terminals/mine')
      .then((r) => (value.value = new Map(r.items.map((i) => [i.instrumentId, i]))))
      .catch(() => undefined);
  }
  return shared.value;
}

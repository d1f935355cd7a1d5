/** Tables of the instrument terminals (issue 14). */

/**
 * Measured machine-hours per instrument and day (Asia/Shanghai calendar day), kept up to date by the terminal
 * ingest as usage intervals open, grow and close. The sharing evaluation (issue 15) reads it; nothing else writes it.
 */
export interface InstrumentUsageDailyTable {
  instrumentId: string;
  /** 'YYYY-MM-DD', the day in Asia/Shanghai */
  day: string;
  /** seconds the instrument was powered (开机) that day */
  poweredSeconds: number;
  /** seconds it was in use (使用中) that day: 运行机时 */
  inUseSeconds: number;
  /** in-use seconds inside an accepted booking's test period on that instrument */
  serviceSeconds: number;
  /** of serviceSeconds, those of bookings whose consumer is another organisation: 对外服务机时 */
  externalServiceSeconds: number;
  updatedAt: string;
}

/** A registered terminal: id = MQTT user name and topic segment; the key sealed with AES-256-GCM (terminals/keys.ts). */
export interface TerminalsTable {
  id: string;
  instrumentId: string;
  orgId: string;
  label: string | null;
  keySealed: string;
  keyVersion: number;
  isDisabled: boolean;
  createdBy: string | null;
  createdAt: string;
  keyRotatedAt: string | null;
  disabledAt: string | null;
}

/** A terminal's cursor: the last applied reading, its open intervals, and what the live status is made of. */
export interface TerminalStateTable {
  terminalId: string;
  instrumentId: string;
  lastSeq: number;
  /** the terminal's time of its latest reading */
  lastAt: string;
  lastReceivedAt: string;
  isPowered: boolean;
  isInUse: boolean;
  isOffline: boolean;
  isClockSkewed: boolean;
  /** ids of the open intervals: { powered?: id, in_use?: id } */
  openJson: unknown;
  version: number;
  /** the instance that wrote the row last: each instance reads only the others' rows (live.ts) */
  writer: string;
  updatedAt: string;
}

/** Every accepted reading, once: (terminal, seq) is unique, so a repeated one is never applied twice. */
export interface TerminalMessagesTable {
  terminalId: string;
  seq: number;
  at: string;
  isPowered: boolean;
  isInUse: boolean;
  isLate: boolean;
  isClockSkewed: boolean;
  via: 'mqtt' | 'http' | 'demo';
  receivedAt: string;
}

/** 开机 (powered) and 使用中 (in_use) intervals; open ones end at the last reading. */
export interface UsageIntervalsTable {
  id: string;
  terminalId: string;
  instrumentId: string;
  kind: 'powered' | 'in_use';
  startedAt: string;
  endedAt: string;
  isOpen: boolean;
  isCut: boolean;
}

/** The provider's note on a time range (maintenance, calibration …); the measured intervals stay as they are. */
export interface UsageAnnotationsTable {
  id: string;
  instrumentId: string;
  startedAt: string;
  endedAt: string;
  reason: string;
  note: string | null;
  createdBy: string;
  createdAt: string;
}

export interface TerminalTables {
  instrumentUsageDaily: InstrumentUsageDailyTable;
  terminals: TerminalsTable;
  terminalState: TerminalStateTable;
  terminalMessages: TerminalMessagesTable;
  usageIntervals: UsageIntervalsTable;
  usageAnnotations: UsageAnnotationsTable;
}

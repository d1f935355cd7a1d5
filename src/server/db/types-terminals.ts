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

export interface TerminalTables {
  instrumentUsageDaily: InstrumentUsageDailyTable;
}

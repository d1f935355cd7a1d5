import { z } from 'zod';
import { paged, PageQuery, trimmed } from './common';

export const LIVE_STATUSES = ['in_use', 'idle', 'off', 'offline', 'none'] as const;
export const LiveStatus = z.enum(LIVE_STATUSES);

export const RegisterTerminalBody = z.strictObject({
  instrumentId: z.string().min(1).max(64),
  label: trimmed(60).optional(),
});

export const TerminalView = z.object({
  id: z.string(),
  instrumentId: z.string(),
  instrumentName: z.string(),
  label: z.string().nullable(),
  isDisabled: z.boolean(),
  keyVersion: z.number(),
  createdAt: z.string(),
  keyRotatedAt: z.string().nullable(),
  status: LiveStatus,
  lastMessageAt: z.string().nullable(),
  clockSkewed: z.boolean(),
});

/** The key is in this reply only: at registration and at rotation. */
export const TerminalWithKey = z.object({ terminal: TerminalView, key: z.string(), topic: z.string() });

export const MyInstrumentTerminal = z.object({
  instrumentId: z.string(),
  name: z.string(),
  valueFen: z.number(),
  needsTerminal: z.boolean(),
  terminal: TerminalView.nullable(),
  todayInUseSeconds: z.number(),
  todayPoweredSeconds: z.number(),
});
export const MyTerminals = z.object({
  thresholdFen: z.number(),
  items: z.array(MyInstrumentTerminal),
});

export const InstrumentLive = z.object({
  instrumentId: z.string(),
  needsTerminal: z.boolean(),
  hasTerminal: z.boolean(),
  status: LiveStatus,
  lastMessageAt: z.string().nullable(),
  clockSkewed: z.boolean(),
});
export const LiveQuery = z.strictObject({
  ids: z
    .string()
    .max(20 * 65)
    .transform((s) => s.split(',').filter(Boolean))
    .pipe(z.array(z.string().min(1).max(64)).max(20)),
});
export const LiveList = z.object({ items: z.array(InstrumentLive) });
export const StreamQuery = z.strictObject({ instrumentId: z.string().min(1).max(64) });

export const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式须为 YYYY-MM-DD');
export const UsageQuery = z.strictObject({ from: day, to: day });

export const UsageInterval = z.object({
  id: z.string(),
  kind: z.enum(['powered', 'in_use']),
  startedAt: z.string(),
  endedAt: z.string(),
  isOpen: z.boolean(),
  isCut: z.boolean(),
});
export const DailyRow = z.object({
  day: z.string(),
  poweredSeconds: z.number(),
  inUseSeconds: z.number(),
  serviceSeconds: z.number(),
  externalServiceSeconds: z.number(),
});
export const ANNOTATION_REASONS = ['maintenance', 'calibration', 'training', 'other'] as const;
export const Annotation = z.object({
  id: z.string(),
  startedAt: z.string(),
  endedAt: z.string(),
  reason: z.enum(ANNOTATION_REASONS),
  note: z.string().nullable(),
  createdAt: z.string(),
  /** who annotated: the person's name (the annotation is audited under their account) */
  createdByName: z.string(),
});
export const InstrumentUsage = z.object({
  intervals: z.array(UsageInterval),
  daily: z.array(DailyRow),
  annotations: z.array(Annotation),
});
export const AnnotationBody = z.strictObject({
  startedAt: z.string().datetime({ offset: true, message: '须为 ISO 8601 时间' }),
  endedAt: z.string().datetime({ offset: true, message: '须为 ISO 8601 时间' }),
  reason: z.enum(ANNOTATION_REASONS),
  note: trimmed(200).optional(),
});

export const BookingUsage = z.object({
  marginPercent: z.number(),
  period: z.object({ from: z.string(), to: z.string() }).nullable(),
  items: z.array(
    z.object({
      instrumentId: z.string(),
      registeredHours: z.number().nullable(),
      measuredHours: z.number(),
      differs: z.boolean(),
    }),
  ),
});

/** 机时差异 (departments): bookings whose test period overlaps [from, to], registered against measured hours. */
export const DifferencesQuery = PageQuery.extend({
  from: day,
  to: day,
  only: z.enum(['differs', 'all']).default('differs'),
}).strict();
export const DifferenceRow = z.object({
  bookingId: z.string(),
  bookingNo: z.string(),
  providerOrgName: z.string(),
  consumerOrgName: z.string(),
  instrumentId: z.string(),
  instrumentName: z.string(),
  periodFrom: z.string(),
  /** null: the results are not submitted yet, the period runs until now */
  periodTo: z.string().nullable(),
  registeredHours: z.number(),
  measuredHours: z.number(),
  differs: z.boolean(),
});
export const DifferencesReply = paged(DifferenceRow).extend({
  marginPercent: z.number(),
  /** more bookings in the range than are compared at once (the most recent are): narrow the dates */
  truncated: z.boolean(),
});

export const TotalsQuery = z.strictObject({ by: z.enum(['instrument', 'org', 'city']), from: day, to: day });
export const TotalsReply = z.object({
  items: z.array(
    z.object({
      key: z.string(),
      name: z.string(),
      poweredSeconds: z.number(),
      inUseSeconds: z.number(),
      serviceSeconds: z.number(),
      externalServiceSeconds: z.number(),
    }),
  ),
});

export const Coverage = z.object({
  thresholdFen: z.number(),
  items: z.array(
    z.object({
      orgId: z.string(),
      orgName: z.string(),
      needing: z.number(),
      covered: z.number(),
      terminals: z.number(),
    }),
  ),
});

export const ReadingBody = z.strictObject({
  /** letters, digits, _ and - only: anything else (NUL included) is refused before it reaches SQL */
  terminal: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9_-]+$/, '终端编号只含字母、数字、_ 和 -'),
  seq: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  at: z.number().int().min(0).max(4_102_444_800_000),
  power: z.boolean(),
  inUse: z.boolean(),
  sig: z.string().max(128),
});
export const IngestBody = z.strictObject({ readings: z.array(ReadingBody).min(1).max(500) });
export const IngestReply = z.object({
  applied: z.number(),
  duplicates: z.number(),
  refused: z.number(),
  outcomes: z.array(z.string()),
});

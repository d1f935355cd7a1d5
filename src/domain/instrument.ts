/** Instrument listing (仪器入网): states and the reference lists of the record. */
export type InstrumentState = 'draft' | 'pending' | 'listed' | 'rejected';
export const INSTRUMENT_STATE_LABEL: Record<InstrumentState, string> = { draft: '草稿', pending: '待审核', listed: '已入网', rejected: '未通过' };

export const SHARING_MODES = { internal: '内部共享', external: '外部共享' } as const;
export type SharingMode = keyof typeof SHARING_MODES;

export const RUN_STATUSES = ['正常', '待机', '偶有故障', '故障频繁', '待修', '待报废'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const SOURCES = ['购置', '研制', '赠送', '其他'] as const;

export const canEditInstrument = (s: InstrumentState) => (s === 'draft' || s === 'rejected' || s === 'listed');
export const canSubmitInstrument = (s: InstrumentState) => s === 'draft' || s === 'rejected';
/** Only the first listing is reviewed; later edits of a listed instrument apply at once. */
export const editNeedsReview = (s: InstrumentState) => s !== 'listed';
/** A listed, enabled instrument can be booked and added to a booking. */
export const isBookable = (s: InstrumentState, disabled: boolean) => s === 'listed' && !disabled;

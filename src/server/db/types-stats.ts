/** Tables of the sharing evaluation (issue 15): daily aggregates, evaluation rounds and reports. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface StatsTables {}

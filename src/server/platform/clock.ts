/** Injectable time source, so that tests can move time (365-day rule, session expiry, tokens). */
export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };

export class TestClock implements Clock {
  private offsetMs = 0;
  now() {
    return new Date(Date.now() + this.offsetMs);
  }
  advance(ms: number) {
    this.offsetMs += ms;
  }
  advanceDays(days: number) {
    this.advance(days * 86_400_000);
  }
}

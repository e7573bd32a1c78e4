/** Time is injected: domain code takes a Clock, never reads the wall itself. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

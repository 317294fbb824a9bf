/** One second of answers, as the console's status shows it. */
export interface SecondCounts {
  /** The second's start, epoch seconds. */
  readonly at: number;
  readonly requests: number;
  /** Answers 400–499: refused (bad input, wrong token, unknown key, refused origin, 404, 429…). */
  readonly refusals: number;
  /** Answers 500 and above. */
  readonly errors: number;
}

/**
 * The process's own answers per second over the last minutes (SPEC §17, the console's status),
 * in a ring of fixed arrays. Counting an answer is an increment (two at most) of the current
 * slot; the clock moves the ring once a second (`tick`, from a timer), never the request path.
 * Each node counts its own answers: the status of a fleet is each node's.
 */
export class PerSecondCounts {
  private readonly requests: Float64Array;
  private readonly refusals: Float64Array;
  private readonly errors: Float64Array;
  /** The epoch second each slot holds; -1 while never used. */
  private readonly stamps: Float64Array;
  private at = 0;
  private second: number;
  private readonly started: number;

  constructor(
    readonly seconds: number,
    nowMs: number,
  ) {
    this.requests = new Float64Array(seconds);
    this.refusals = new Float64Array(seconds);
    this.errors = new Float64Array(seconds);
    this.stamps = new Float64Array(seconds).fill(-1);
    this.second = Math.floor(nowMs / 1000);
    this.started = this.second;
    this.stamps[0] = this.second;
  }

  /** An answer with this status, in the current second. */
  count(status: number): void {
    const at = this.at;
    this.requests[at]++;
    if (status >= 500) this.errors[at]++;
    else if (status >= 400) this.refusals[at]++;
  }

  /** Moves the ring to the second of `nowMs`, clearing the seconds it skips. */
  tick(nowMs: number): void {
    const second = Math.floor(nowMs / 1000);
    if (second <= this.second) return;
    const steps = Math.min(second - this.second, this.seconds);
    for (let i = 1; i <= steps; i++) {
      const at = (this.at + i) % this.seconds;
      this.requests[at] = this.refusals[at] = this.errors[at] = 0;
      this.stamps[at] = second - steps + i;
    }
    this.at = (this.at + steps) % this.seconds;
    this.second = second;
  }

  /**
   * The complete seconds of the last `seconds - 1` (the current one still counting is left
   * out), oldest first, from the process's start at the earliest.
   */
  snapshot(nowMs: number): SecondCounts[] {
    this.tick(nowMs);
    const out: SecondCounts[] = [];
    for (let back = this.seconds - 1; back >= 1; back--) {
      const at = (this.at - back + this.seconds) % this.seconds;
      const second = this.second - back;
      if (second < this.started || this.stamps[at] !== second) continue;
      out.push({
        at: second,
        requests: this.requests[at],
        refusals: this.refusals[at],
        errors: this.errors[at],
      });
    }
    return out;
  }
}

/**
 * Runs `tick` at the start of every second (re-aimed each time, so it does not drift) without
 * keeping the process alive; returns what stops it.
 */
export function eachSecond(tick: () => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  const schedule = () => {
    timer = setTimeout(
      () => {
        tick();
        if (timer) schedule();
      },
      1001 - (Date.now() % 1000),
    );
    timer.unref();
  };
  schedule();
  return () => {
    clearTimeout(timer);
    timer = undefined;
  };
}

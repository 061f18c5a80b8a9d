/**
 * How the calling thread waits for workers without blocking its event loop for long: a doorbell
 * word in shared memory that workers ring on completing a task while it sleeps (and anything
 * else, a new run, a message, an abort, a worker's exit, rings through kick()), an adaptive spin
 * before sleeping, and sleeps short enough that aborts, timers and posted results are seen.
 */
import { CALLING_THREAD_CAN_BLOCK, turnEventLoop } from "../platform/threads.js";
import type { WorkerLane } from "./lane.js";
import { SLICE_MS } from "./main-thread.js";
import * as P from "./protocol.js";

// The calling thread spins for a completion before sleeping on the doorbell; a wake-up through
// the event loop costs far more than a completion takes to arrive, so the spin adapts like the
// workers'.
const MIN_MAIN_SPIN_MS = 0.02;
const MAX_MAIN_SPIN_MS = 2;
const WAIT_TIMEOUT_MS = 20;

export { turnEventLoop };

export class Doorbell {
  /** How long the calling thread spins for a completion before sleeping (adapts). */
  private spinMs = 0.2;

  /** Whether the words are shared (waitable); not where no worker can exist. */
  private readonly shared: boolean;

  constructor(private readonly ctl: Int32Array) {
    this.shared = typeof SharedArrayBuffer === "function" && ctl.buffer instanceof SharedArrayBuffer;
  }

  /** The doorbell's count now: read before looking for work, so a later ring is not missed. */
  read(): number {
    return Atomics.load(this.ctl, P.CTL_DOORBELL);
  }

  /** Wakes the pump if it waits (new run, message, abort, worker exit). */
  kick(): void {
    Atomics.add(this.ctl, P.CTL_DOORBELL, 1);
    Atomics.notify(this.ctl, P.CTL_DOORBELL);
  }

  /** Whether some worker posted a completion not yet harvested. */
  private completionsWaiting(workers: readonly WorkerLane[]): boolean {
    for (const lane of workers) {
      if (lane.queued > 0 && lane.outbox.hasEntry()) return true;
    }
    return false;
  }

  /**
   * Waits for a completion or a kick (anything that bumps the doorbell past `seen`). Spins on
   * the outboxes first while completions are expected; then says it sleeps (MAIN_WAITING),
   * looks at the outboxes once more (a worker that saw MAIN_WAITING = 0 did not ring), and
   * sleeps on the doorbell. While workers have tasks and no message is awaited, it sleeps in
   * Atomics.wait (a wake-up through the event loop, waitAsync, costs many times more: bench/
   * README.md, "Measured decisions"), a millisecond at a time and never past the slice; otherwise, or once
   * the slice is used up, or where the calling thread may not block (a browser's main thread), it
   * awaits Atomics.waitAsync so the event loop runs.
   */
  async waitForCompletion(workers: readonly WorkerLane[], awaitingMessages: boolean, seen: number, sliceStart: number): Promise<boolean> {
    let expecting = false;
    for (const lane of workers) if (lane.queued > 0) expecting = true;
    if (expecting) {
      if (Atomics.add(this.ctl, P.CTL_SPINNERS, 1) < Atomics.load(this.ctl, P.CTL_SPIN_LIMIT)) {
        const until = performance.now() + this.spinMs;
        while (!this.completionsWaiting(workers) && Atomics.load(this.ctl, P.CTL_DOORBELL) === seen && performance.now() < until) {
          // spin: a completion is expected within microseconds
        }
      }
      Atomics.sub(this.ctl, P.CTL_SPINNERS, 1);
    }
    Atomics.store(this.ctl, P.CTL_MAIN_WAITING, 1);
    if (this.completionsWaiting(workers) || Atomics.load(this.ctl, P.CTL_DOORBELL) !== seen) {
      Atomics.store(this.ctl, P.CTL_MAIN_WAITING, 0);
      return false;
    }
    const sleptAt = performance.now();
    const sliceLeft = SLICE_MS - (sleptAt - sliceStart);
    let yielded = false;
    if (CALLING_THREAD_CAN_BLOCK && expecting && !awaitingMessages && sliceLeft > 0.05) {
      Atomics.wait(this.ctl, P.CTL_DOORBELL, seen, Math.min(1, sliceLeft));
    } else {
      const wait = this.shared ? Atomics.waitAsync(this.ctl, P.CTL_DOORBELL, seen, WAIT_TIMEOUT_MS) : undefined;
      if (wait?.async) await wait.value;
      else await turnEventLoop();
      yielded = true;
    }
    Atomics.store(this.ctl, P.CTL_MAIN_WAITING, 0);
    // woken soon after giving up: spinning a little longer would have saved the wake-up
    if (expecting) {
      const slept = performance.now() - sleptAt;
      this.spinMs = slept < 1 ? Math.min(MAX_MAIN_SPIN_MS, this.spinMs * 2) : Math.max(MIN_MAIN_SPIN_MS, this.spinMs / 2);
    }
    return yielded;
  }
}

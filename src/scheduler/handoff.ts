/**
 * What handing a task to a worker costs, for a worker asleep on its inbox (a wake-up) and for one
 * still spinning (a hand-over): measured by pings at start, then kept current by real hand-overs,
 * each the median of the last WAKE_SAMPLES (the VMs' wake-ups vary by 30x). Placement weighs a
 * run's measured work against these.
 */
import { turnEventLoop } from "../platform/threads.js";
import type { WorkerLane } from "./lane.js";
import * as P from "./protocol.js";

/** Wake-ups the median of wakeMs is taken over (pings at start, then real ones). */
const WAKE_SAMPLES = 15;

export class HandoffClock {
  /**
   * What handing a task to a worker costs (hand-over or notify to the task's first instruction):
   * for a worker asleep on its inbox and for one still spinning, each the median of the last
   * fifteen (pings at start, then real hand-overs), in ms.
   */
  wakeMs = 0.1;
  handoffMs = 0.005;

  /**
   * Measures what handing work to a worker costs, by pings through its inbox: five rounds of one
   * to a worker that has gone to sleep and three more straight after, while it should still spin.
   * Each ping counts as a wake-up or a hand-over by the worker's state when it was pushed, not by
   * its place in the round (a "spinning" ping that found the worker asleep again measured a
   * wake-up: counted as a hand-over, five of those kept a user's loop on the calling thread).
   * Real hand-overs during runs keep both current afterwards.
   */
  async measure(lane: WorkerLane): Promise<void> {
    for (let i = 0; i < 5; i++) {
      const until = performance.now() + 50;
      while (Atomics.load(lane.words, P.LANE_STATE) !== P.LANE_SLEEPING && performance.now() < until) {
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      for (let j = 0; j < 4; j++) {
        const asleep = Atomics.load(lane.words, P.LANE_STATE) === P.LANE_SLEEPING;
        const ms = await this.ping(lane);
        if (ms === undefined) return; // the worker did not answer: keep the defaults
        if (asleep) this.noteWake(ms);
        else this.noteHandoff(ms);
      }
    }
  }

  private readonly wakeSamples: number[] = [];
  private readonly handoffSamples: number[] = [];

  /** A measured wake-up (ms): wakeMs is the median of the last few (the VM's wake-ups vary by 30x). */
  noteWake(ms: number): void {
    this.wakeMs = addSample(this.wakeSamples, ms) ?? this.wakeMs;
  }

  /** A measured hand-over to a spinning worker (ms): handoffMs is the median of the last few. */
  noteHandoff(ms: number): void {
    this.handoffMs = addSample(this.handoffSamples, ms) ?? this.handoffMs;
  }

  /** One ping: ms from pushing it to the worker taking it, or undefined after 100 ms without an answer. */
  private async ping(lane: WorkerLane): Promise<number | undefined> {
    const entry = new Int32Array(P.OUTBOX_ENTRY_WORDS);
    const sent = performance.now();
    lane.push(P.PING_RUN, 0);
    lane.wake();
    while (!lane.outbox.pop(entry)) {
      if (performance.now() - sent > 100) return undefined;
      if (performance.now() - sent > 5) await turnEventLoop();
    }
    lane.completed();
    const sentUs = Math.round(sent * 1000) % 2 ** 31;
    return ((((entry[1]! - sentUs) % 2 ** 31) + 2 ** 31) % 2 ** 31) / 1000;
  }
}

/** Adds a sample (ms) to a window of the last WAKE_SAMPLES and returns their median (undefined for a sample out of range). */
function addSample(samples: number[], ms: number): number | undefined {
  if (!(ms >= 0 && ms < 1000)) return undefined;
  samples.push(ms);
  if (samples.length > WAKE_SAMPLES) samples.shift();
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}

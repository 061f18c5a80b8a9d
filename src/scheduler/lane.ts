/**
 * One worker thread as the main thread sees it: its rings, its side port, what it has been
 * told (plans, runs, values), what is queued on it, the resources it has free, and its health.
 * A lane whose worker dies is replaced by a fresh one at the same index.
 */
import { MessageChannel, Worker, type MessagePort, type ResourceLimits } from "../platform/threads.js";
import type { Allocation } from "../memory/shared-memory.js";
import type { WasmMemory, WasmModule } from "../types/wasm.js";
import { Ring } from "./ring.js";
import * as P from "./protocol.js";

/** Most plans a worker keeps decoded; the least recently used is forgotten beyond this. */
const PLANS_PER_WORKER = 64;

export interface LaneSetup {
  index: number;
  workerPath: string;
  control: SharedArrayBuffer;
  memory: WasmMemory;
  maximumBytes: number;
  backend: P.WorkerInit["backend"];
  module: WasmModule | undefined;
  kernelOverrides: P.WorkerInit["kernelOverrides"];
  scratch: Allocation;
  resources: Readonly<Record<string, number>>;
  resourceLimits: ResourceLimits | undefined;
  onMessage(lane: WorkerLane, message: P.FromWorker): void;
  onExit(lane: WorkerLane, reason: string, cause: unknown): void;
}

export class WorkerLane {
  readonly index: number;
  readonly worker: Worker;
  readonly words: Int32Array;
  readonly inbox: Ring;
  readonly outbox: Ring;
  private readonly side: MessagePort;
  /** Resolves once the worker has instantiated its kernels and entered its loop. */
  readonly ready: Promise<void>;
  isReady = false;
  dead = false;
  /** Tasks pushed and not yet harvested (per run: RunState.queuedOn). */
  queued = 0;
  /** Resources not held by a queued task. */
  readonly available: Record<string, number>;
  private readonly plans = new Map<number, true>(); // insertion order = least recently used first
  private lastPlan = 0;
  private readonly runs = new Set<number>();
  private readonly sentValues = new Map<number, Set<number>>();

  constructor(readonly setup: LaneSetup) {
    this.index = setup.index;
    const block = new SharedArrayBuffer(P.LANE_WORDS * 4);
    this.words = new Int32Array(block);
    this.inbox = new Ring(this.words, P.LANE_INBOX_HEAD, P.LANE_INBOX_TAIL, P.LANE_INBOX_BASE, P.INBOX_ENTRY_WORDS);
    this.outbox = new Ring(this.words, P.LANE_OUTBOX_HEAD, P.LANE_OUTBOX_TAIL, P.LANE_OUTBOX_BASE, P.OUTBOX_ENTRY_WORDS);
    this.available = { ...setup.resources };
    const channel = new MessageChannel();
    this.side = channel.port1;
    const init: P.WorkerInit = {
      lane: setup.index,
      control: setup.control,
      laneBlock: block,
      memory: setup.memory,
      maximumBytes: setup.maximumBytes,
      backend: setup.backend,
      module: setup.module,
      scratch: { ptr: setup.scratch.ptr, bytes: setup.scratch.bytes },
      mainTimeOrigin: performance.timeOrigin,
      kernelOverrides: setup.kernelOverrides,
      side: channel.port2,
    };
    this.worker = new Worker(setup.workerPath, {
      workerData: init,
      transferList: [channel.port2],
      resourceLimits: setup.resourceLimits,
      stdout: false,
      stderr: false,
    });
    this.worker.unref();
    this.side.unref();
    let settleReady: (() => void) | undefined;
    let failReady: ((e: unknown) => void) | undefined;
    this.ready = new Promise<void>((resolve, reject) => {
      settleReady = resolve;
      failReady = reject;
    });
    this.ready.catch(() => {}); // observed through onExit as well
    this.worker.on("message", (m: P.FromWorker) => {
      if (m.type === "ready") {
        this.isReady = true;
        settleReady!();
        return;
      }
      setup.onMessage(this, m);
    });
    let reported = false;
    const died = (reason: string, cause: unknown) => {
      if (reported) return;
      reported = true;
      this.dead = true;
      failReady!(cause instanceof Error ? cause : new Error(reason));
      setup.onExit(this, reason, cause);
    };
    this.worker.on("error", (error) => died(`worker ${this.index} failed: ${error.message}`, error));
    this.worker.on("exit", (code) => died(`worker ${this.index} exited with code ${code}`, undefined));
  }

  /** Started and not dead: it may be given tasks. */
  get usable(): boolean {
    return this.isReady && !this.dead;
  }

  /** Keeps the process alive while work is in flight on this lane (or lets it end). */
  hold(alive: boolean): void {
    if (alive) this.worker.ref();
    else this.worker.unref();
  }

  /** Announces plan `id` unless the worker has it (most recently used plans are kept). */
  ensurePlan(id: number, plan: () => import("./wire.js").WirePlan): void {
    if (id === this.lastPlan) return;
    this.lastPlan = id;
    if (this.plans.has(id)) {
      this.plans.delete(id);
      this.plans.set(id, true);
      return;
    }
    this.post({ type: "plan", id, plan: plan() });
    this.plans.set(id, true);
    if (this.plans.size > PLANS_PER_WORKER) {
      const oldest = this.plans.keys().next().value!;
      this.plans.delete(oldest);
      if (oldest === this.lastPlan) this.lastPlan = 0;
      this.post({ type: "forget-plan", id: oldest });
    }
  }

  /** Announces a run unless already announced. */
  ensureRun(message: Extract<P.ToWorker, { type: "run" }>): void {
    if (this.runs.has(message.id)) return;
    this.runs.add(message.id);
    this.post(message);
  }

  /** Sends the JS value of `position` of run `run` unless this worker has it. */
  ensureValue(run: number, position: number, value: () => unknown): void {
    let sent = this.sentValues.get(run);
    if (!sent) this.sentValues.set(run, (sent = new Set()));
    if (sent.has(position)) return;
    sent.add(position);
    this.post({ type: "value", run, position, value: value() });
  }

  /** The run is over: the worker forgets it. */
  endRun(run: number): void {
    if (!this.runs.delete(run)) return;
    this.sentValues.delete(run);
    this.post({ type: "end", run });
  }

  /** Queues task `position` of run `run`; the caller keeps `queued` below the ring's capacity. */
  push(run: number, position: number): void {
    if (this.queued === 0) {
      this.head = [run, position];
      this.headFresh = true;
    }
    this.inbox.push2(run, position);
    this.queued += 1;
  }

  /** The first task pushed since the lane was last empty: [run, position], and whether wake() has not seen it yet. */
  private head: [number, number] = [0, 0];
  private headFresh = false;
  /**
   * The task a batch was handed over for, when, and whether the worker slept (then it was woken):
   * what the cost of reaching a worker is measured on.
   */
  handedFor: { run: number; position: number; at: number; asleep: boolean } | undefined;

  /** Wakes the worker if it sleeps (call after pushing a batch); notes when, for the task at the head. */
  wake(): void {
    const asleep = Atomics.load(this.words, P.LANE_STATE) === P.LANE_SLEEPING;
    if (this.headFresh) this.handedFor = { run: this.head[0], position: this.head[1], at: performance.now(), asleep };
    this.headFresh = false;
    if (asleep) Atomics.notify(this.words, P.LANE_INBOX_TAIL);
  }

  /** Bookkeeping for one harvested completion. */
  completed(): void {
    this.queued -= 1;
  }

  /** The task the worker was running when asked: [run, position], run 0 when idle. */
  current(): [number, number] {
    return [Atomics.load(this.words, P.LANE_CURRENT_RUN), Atomics.load(this.words, P.LANE_CURRENT_POSITION)];
  }

  private post(message: P.ToWorker): void {
    if (this.dead) return;
    this.side.postMessage(message);
    Atomics.add(this.words, P.LANE_SIDE_POSTED, 1); // after posting: the worker never counts one it cannot receive
  }

  /** Set when the scheduler stopped this worker to end a run's task (not a crash of the worker's own). */
  interrupted = false;

  /** Stops the worker; resolves once the thread is gone. */
  async terminate(): Promise<void> {
    this.dead = true;
    this.side.close();
    await this.worker.terminate();
  }
}

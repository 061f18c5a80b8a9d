/**
 * The last stretch of compile(), shared by both ways of getting there (from lazy layers, and from
 * tasks): a draft of candidate tasks (each a chunk of a group, with its inputs as ids) becomes a
 * CompiledPlan. Culls what the outputs do not need, orders the rest depth first from the outputs
 * (dask.order's idea: finish a branch before starting the next, so its intermediates can go),
 * numbers tasks by run order and inputs after them, and notes where each result is read for the
 * last time. Typed arrays only: no per-task objects.
 */
import type { CompiledPlan, ExecGroup, KeyNames, PlanStats } from "./compiled.js";
import { postOrder } from "./indexed.js";
import type { Key } from "./keys.js";

/** Candidate tasks: ids 0 .. tasks-1; inputs have ids tasks .. tasks+inputs-1. */
export interface PlanDraft {
  readonly groups: readonly ExecGroup[];
  readonly taskGroup: Int32Array;
  readonly taskChunk: Int32Array;
  readonly resultBytes: Float64Array;
  /** Each task's inputs as ids (tasks or inputs), in the order its program reads them. */
  readonly depStart: Int32Array;
  readonly depList: Int32Array;
  readonly inputOrdinal: Int32Array;
  readonly inputChunk: Int32Array;
  readonly inputKeys: readonly Key[];
  /** The outputs as ids (an input's id is allowed). */
  readonly outputs: Int32Array;
  readonly names: KeyNames;
  /**
   * Tasks before fusion and culling (PlanStats.materialized, .culled, .inlined; a negative
   * count is filled in with the plan's tasks); `fused` is counted here.
   */
  readonly counts: Omit<PlanStats, "fused">;
}

/** Combines whose inputs together hold at most this many bytes may wait for their readers. */
const DEFERRED_INPUT_BYTES = 4096;

/**
 * Moves a reduction's combines (groups marked `gather`) as late as their readers allow, when
 * their inputs are small: the depth-first order puts the combine of chunks 0-7 before chunk 8,
 * so the ready queue handed a worker that tiny combine while the calling thread ran chunk 8 and
 * 9 alone (a 10-chunk gradient: one thread idle for a whole chunk task at the end). Deferred,
 * the chunk tasks come first and the combines, each tiny, last. Combines of large
 * partial results (a column sum's vectors) keep their depth-first place: waiting would hold all
 * of them at once. Rewrites `byRank` and `rank` in place.
 */
function deferCombines(d: PlanDraft, byRank: Int32Array, rank: Int32Array): void {
  const T = d.taskGroup.length;
  const n = byRank.length;
  const { depStart, depList, resultBytes } = d;
  const deferrable = new Uint8Array(T);
  let any = false;
  for (let r = 0; r < n; r++) {
    const j = byRank[r]!;
    if (!d.groups[d.taskGroup[j]!]!.gather) continue;
    let bytes = 0;
    for (let q = depStart[j]!; q < depStart[j + 1]!; q++) {
      const dep = depList[q]!;
      bytes += dep < T && resultBytes[dep]! >= 0 ? resultBytes[dep]! : 8;
    }
    if (bytes <= DEFERRED_INPUT_BYTES) {
      deferrable[j] = 1;
      any = true;
    }
  }
  if (!any) return;
  const done = new Uint8Array(T);
  const order = new Int32Array(n);
  let k = 0;
  // a task, after the deferred combines it reads (their depth is the tree's: a few levels)
  const emit = (j: number): void => {
    for (let q = depStart[j]!; q < depStart[j + 1]!; q++) {
      const dep = depList[q]!;
      if (dep < T && deferrable[dep] && !done[dep]) emit(dep);
    }
    done[j] = 1;
    order[k++] = j;
  };
  for (let r = 0; r < n; r++) if (!deferrable[byRank[r]!]) emit(byRank[r]!);
  for (let r = 0; r < n; r++) if (!done[byRank[r]!]) emit(byRank[r]!);
  byRank.set(order);
  for (let r = 0; r < n; r++) rank[order[r]!] = r;
}

/** The compiled plan of a draft: culled, ordered, renumbered. */
export function finishPlan(d: PlanDraft): CompiledPlan {
  const T = d.taskGroup.length;
  const I = d.inputOrdinal.length;
  const { depStart, depList } = d;
  // rank: post-order depth first from each output, inputs in program order; tasks no output
  // reaches stay unranked: culled
  const { rank, count: next } = postOrder(T, depStart, depList, d.outputs);
  const n = next;
  const byRank = new Int32Array(n);
  for (let j = 0; j < T; j++) if (rank[j]! >= 0) byRank[rank[j]!] = j;
  deferCombines(d, byRank, rank);
  // inputs that some kept task (or output) reads, numbered after the tasks in draft order
  const inputUsed = new Uint8Array(I);
  for (let r = 0; r < n; r++) {
    const j = byRank[r]!;
    for (let q = depStart[j]!; q < depStart[j + 1]!; q++) if (depList[q]! >= T) inputUsed[depList[q]! - T] = 1;
  }
  for (const o of d.outputs) if (o >= T) inputUsed[o - T] = 1;
  const inputPosition = new Int32Array(I).fill(-1);
  let m = 0;
  for (let i = 0; i < I; i++) if (inputUsed[i]) inputPosition[i] = n + m++;
  const position = (id: number) => (id < T ? rank[id]! : inputPosition[id - T]!);
  const taskGroup = new Int32Array(n);
  const taskChunk = new Int32Array(n);
  const resultBytes = new Float64Array(n);
  const outStart = new Int32Array(n + 1);
  for (let r = 0; r < n; r++) {
    const j = byRank[r]!;
    taskGroup[r] = d.taskGroup[j]!;
    taskChunk[r] = d.taskChunk[j]!;
    resultBytes[r] = d.resultBytes[j]!;
    outStart[r + 1] = outStart[r]! + depStart[j + 1]! - depStart[j]!;
  }
  const outList = new Int32Array(outStart[n]!);
  for (let r = 0; r < n; r++) {
    const j = byRank[r]!;
    let at = outStart[r]!;
    for (let q = depStart[j]!; q < depStart[j + 1]!; q++) outList[at++] = position(depList[q]!);
  }
  // groups no kept task runs are dropped (workers receive every group's program)
  const groupIndex = new Int32Array(d.groups.length).fill(-1);
  const groups: ExecGroup[] = [];
  for (let r = 0; r < n; r++) {
    const g = taskGroup[r]!;
    if (groupIndex[g] === -1) groupIndex[g] = groups.push(d.groups[g]!) - 1;
    taskGroup[r] = groupIndex[g]!;
  }
  const inputOrdinal = new Int32Array(m);
  const inputChunk = new Int32Array(m);
  const inputKeys: Key[] = new Array(m);
  for (let i = 0; i < I; i++) {
    const p = inputPosition[i]!;
    if (p < 0) continue;
    inputOrdinal[p - n] = d.inputOrdinal[i]!;
    inputChunk[p - n] = d.inputChunk[i]!;
    inputKeys[p - n] = d.inputKeys[i]!;
  }
  const outputPositions = Int32Array.from(d.outputs, position);
  // where each result is read for the last time (outputs are never released)
  const positions = n + m;
  const lastReader = new Int32Array(positions).fill(-1);
  for (let r = 0; r < n; r++) for (let q = outStart[r]!; q < outStart[r + 1]!; q++) lastReader[outList[q]!] = r;
  for (const p of outputPositions) lastReader[p] = -1;
  const lastReadCut = new Int32Array(n + 1);
  for (let p = 0; p < positions; p++) if (lastReader[p]! >= 0) lastReadCut[lastReader[p]! + 1]! += 1;
  for (let r = 0; r < n; r++) lastReadCut[r + 1] = lastReadCut[r + 1]! + lastReadCut[r]!;
  const lastReadFlat = new Int32Array(lastReadCut[n]!);
  const fill = lastReadCut.slice(0, n);
  for (let p = 0; p < positions; p++) if (lastReader[p]! >= 0) lastReadFlat[fill[lastReader[p]!]!++] = p;
  return {
    groups,
    taskGroup,
    taskChunk,
    depStart: outStart,
    depList: outList,
    resultBytes,
    inputCount: m,
    inputOrdinal,
    inputChunk,
    inputKeys,
    outputPositions,
    lastReadCut,
    lastReadFlat,
    names: d.names,
    stats: {
      materialized: d.counts.materialized,
      culled: d.counts.culled < 0 ? n + m : d.counts.culled,
      inlined: d.counts.inlined < 0 ? n : d.counts.inlined,
      fused: n,
    },
  };
}

/**
 * Handing one task to a worker: the plan and the run announced on its side port the first time
 * (so the hot path reads no message), JS values its inputs need sent ahead, a result slot
 * preallocated in shared memory and named in the task's cell, then the task pushed on the
 * worker's inbox ring. The worker is woken by the caller, once per batch.
 */
import type { SharedMemory } from "../memory/shared-memory.js";
import type { WorkerLane } from "./lane.js";
import * as P from "./protocol.js";
import { takeResources } from "./resources.js";
import { QUEUED, type RunState } from "./run-state.js";

/**
 * Queues task `position` of `run` on `lane`. Its result slot is allocated first: when the
 * memory cannot grow, this throws before anything changed.
 */
export function handOver(run: RunState, position: number, lane: WorkerLane, memory: SharedMemory): void {
  const entry = run.entry;
  if (!run.lanesTold.has(lane)) {
    lane.ensurePlan(entry.id, () => entry.wire());
    lane.ensureRun({
      type: "run",
      id: run.id,
      slot: run.slot,
      plan: entry.id,
      cells: run.cells.ptr,
      positions: run.positions,
      tasks: run.n,
    });
    run.lanesTold.add(lane);
  }
  const layout = entry.layout;
  const bytes = layout.resultBytes[position]!;
  const slot = bytes >= 0 ? memory.alloc(bytes) : undefined; // before anything changes: may throw
  const resources = run.entry.resourcesAt(position);
  run.state[position] = QUEUED;
  run.laneOf[position] = lane.index;
  if (resources) takeResources(lane.available, resources);
  // values the worker cannot read from cells travel on its side port, before the task
  for (let q = layout.depStart[position]!; q < layout.depStart[position + 1]!; q++) {
    const d = layout.depList[q]!;
    if (run.jsValue[d]) lane.ensureValue(run.id, d, () => run.values[d]);
  }
  if (slot) {
    run.slots.set(position, slot);
    const f64 = memory.f64;
    const at = run.cellAddress(position) / 8;
    f64[at + 1] = slot.ptr;
    f64[at + 2] = bytes;
    f64[at] = P.KIND_RESULT_SLOT;
  }
  lane.push(run.id, position);
  run.inFlight += 1;
  run.queuedOn[lane.index]! += 1;
}

/** Float32 chunks read as float64, a block of rows at a time, for the ops that reduce or multiply them. */
import type { TaskContext } from "../graph/ops.js";
import type { BufferViews } from "../memory/index.js";

/** Values widened at a time by forRowBlocksF32: 256 KB of float64 scratch. */
const F32_BLOCK_VALUES = 32 * 1024;

/**
 * Calls `each(block, row0, rows)` for the rows of a rows x cols chunk of float32 values, a block
 * of rows at a time widened to float64 in scratch (widening the whole chunk at once would make
 * an intermediate twice the chunk's size).
 */
export function forRowBlocksF32(
  ctx: TaskContext,
  x: BufferViews,
  rows: number,
  cols: number,
  each: (block: number, row0: number, rows: number) => void,
): void {
  const blockRows = Math.max(1, Math.floor(F32_BLOCK_VALUES / Math.max(cols, 1)));
  const block = ctx.scratch(8 * Math.max(1, Math.min(rows, blockRows) * cols));
  const k = ctx.kernels!.raw;
  for (let r0 = 0; r0 < rows; r0 += blockRows) {
    const nr = Math.min(blockRows, rows - r0);
    k.widenF32(nr * cols, x.ptr + 4 * r0 * cols, block.ptr);
    each(block.ptr, r0, nr);
  }
}

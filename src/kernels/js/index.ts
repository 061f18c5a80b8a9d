/** The js backend: every registered kernel in plain TypeScript over views of the shared memory. */
import type { KernelTable } from "../signatures.js";
import { blasKernels } from "./blas.js";
import { elementwiseKernels } from "./elementwise.js";
import { linalgKernels } from "./linalg.js";
import { glmKernels } from "./glm.js";
import { randomKernels } from "./random.js";
import { convertKernels } from "./convert.js";
import type { Heap } from "./heap.js";

/**
 * The reference backend: every kernel in plain TypeScript over views of `heap`. Other backends are
 * tested against it.
 */
export function createJsKernels(heap: Heap): KernelTable {
  const table = {
    ...blasKernels(heap),
    ...elementwiseKernels(heap),
    ...linalgKernels(heap),
    ...glmKernels(heap),
    ...randomKernels(heap),
    ...convertKernels(heap),
  } satisfies KernelTable;
  return table;
}

export type { Heap } from "./heap.js";

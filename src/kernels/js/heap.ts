/**
 * How the js backend reaches the shared memory: a Float64Array over all of it (refreshed after
 * growth) and the conversion from a byte address to an element index.
 */
export interface Heap {
  /** The whole memory as float64s; re-read on every kernel call, since the memory may grow. */
  readonly f64: Float64Array;
}

/** Element index of an 8-byte-aligned byte address. */
export const at = (ptr: number): number => ptr / 8;

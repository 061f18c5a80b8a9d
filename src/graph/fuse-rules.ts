/**
 * The rules of the fusion passes (fuse.ts): the knobs of aggressive fusion and their defaults,
 * modelled on Dask's (fuse.ts's comment says what each limits), and the rules each pass applies:
 * fuseLinear absorbs chains only, fuse also diamonds and the fan-ins the knobs allow.
 */

/** Knobs of aggressive fusion (Dask's fuse): how wide and deep a fused subgraph may be. */
export interface FuseOptions {
  aveWidth?: number;
  maxWidth?: number;
  maxHeight?: number;
  maxDepthNewEdges?: number;
  /**
   * Largest result (bytes, as the task declares it) that fusion turns into an intermediate of
   * another task. A fused task's intermediates live in the thread's scratch block; one that does
   * not fit sends the whole task to the calling thread, so a chunk too big for the scratch stays
   * its own task's result (allocated up front, any thread can run it). Default 4 MiB, the
   * runtime's default scratch; Runtime.compute passes its own.
   */
  maxIntermediateBytes?: number;
}

/**
 * Defaults, checked with `weft bench graph`: Dask's defaults scaled to aveWidth = 2 (maxWidth
 * 1.5 + aveWidth * ln(aveWidth + 1), maxDepthNewEdges 1.5 * aveWidth). The seed expression
 * `sum(exp(x) - 1/x)` then fuses to one task per chunk plus the reduction's few tasks.
 */
export const DEFAULT_FUSE_OPTIONS: Required<FuseOptions> = {
  aveWidth: 2,
  maxWidth: Math.floor(1.5 + 2 * Math.log(3)),
  maxHeight: Infinity,
  maxDepthNewEdges: 3,
  maxIntermediateBytes: 4 * 1024 * 1024,
};

/** What a fan-in would make of the group: the test a fusion rule applies. */
export interface FanIn {
  /** Number of independent groups absorbed at once. */
  readonly branches: number;
  /** Entry steps (no input inside the fused task) once diamonds are closed. */
  readonly width: number;
  readonly height: number;
  readonly size: number;
  /** Height of the tallest absorbed branch that reads from outside (0 if none does). */
  readonly deepestNewEdge: number;
}

/** What a fusion pass may absorb: fuseLinear's rules or fuse's, from the knobs. */
export interface Rules {
  /** May a task absorb these independent groups at once (a fan-in)? Absent: never. */
  fanIn: ((f: FanIn) => boolean) | undefined;
  maxHeight: number;
  /** Whether to close diamonds (absorb a group once all its root's readers are inside). */
  closeDiamonds: boolean;
  /** Whether a task with several dependencies may absorb one of them (fuseLinear says no). */
  partialInputs: boolean;
  /** FuseOptions.maxIntermediateBytes. */
  maxIntermediateBytes: number;
}

/** fuseLinear's rules: chains only, whatever the knobs (maxIntermediateBytes aside). */
export const linearRules = (options: FuseOptions): Rules => ({
  fanIn: undefined,
  maxHeight: Infinity,
  closeDiamonds: false,
  partialInputs: false,
  maxIntermediateBytes: options.maxIntermediateBytes ?? DEFAULT_FUSE_OPTIONS.maxIntermediateBytes,
});

/** fuse's rules: the knobs given, the defaults for the others. */
export function aggressiveRules(options: FuseOptions): Rules {
  const o = { ...DEFAULT_FUSE_OPTIONS, ...options };
  return {
    maxHeight: o.maxHeight,
    closeDiamonds: true,
    partialInputs: true,
    maxIntermediateBytes: o.maxIntermediateBytes,
    fanIn: (f) =>
      f.width <= o.maxWidth && f.size / f.height <= o.aveWidth && f.height <= o.maxHeight && f.deepestNewEdge <= o.maxDepthNewEdges,
  };
}

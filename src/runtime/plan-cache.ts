/**
 * The runtime's plan cache: compiled plans by the structure of the graph they were compiled
 * from (structure.ts), so that the next graph of a user's loop (the same ops over the same
 * chunks, a new coefficient vector) skips fusing and laying out, and runs a plan whose workers
 * already hold it. Least recently used plans go first once the cache holds more than its count
 * or its bytes; a plan is checked on every hit against the op registry (an op registered anew
 * under the same name must not run its old function).
 *
 * It holds compiled plans only: no input values, no graph, so a cached plan keeps no user data
 * alive (a literal argument an op was given by identity, a buffer say, is the exception).
 */
import { planBytes, type CompiledPlan } from "../graph/compiled.js";
import type { OpDefinition, OpRegistry } from "../graph/ops.js";

/** What `runtime.planCache.stats()` reports. */
export interface PlanCacheStats {
  /** Computes that found their plan. */
  hits: number;
  /** Computes that compiled (and then cached) a plan. */
  misses: number;
  /** Plans held now, and their bytes (typed arrays and tables, estimated). */
  entries: number;
  bytes: number;
  /** Plans dropped to stay within the limits (or because an op they use was registered anew). */
  evictions: number;
}

/** Limits of a plan cache: most plans, most bytes (0 plans: no caching). */
export interface PlanCacheLimits {
  /** Most plans kept (default 256). */
  entries?: number;
  /** Most bytes of plans kept (default 64 MiB). */
  bytes?: number;
}

interface Entry {
  readonly plan: CompiledPlan;
  readonly bytes: number;
  /** Each op the plan runs, as it was registered when compiled. */
  readonly ops: readonly OpDefinition[];
  readonly registry: OpRegistry;
}

/** A bounded LRU map from structural keys to compiled plans. */
export class PlanCache {
  private readonly map = new Map<string, Entry>(); // insertion order = least recently used first
  private readonly maxEntries: number;
  private readonly maxBytes: number;
  private held = 0;
  private counts = { hits: 0, misses: 0, evictions: 0 };

  constructor(limits: PlanCacheLimits = {}) {
    this.maxEntries = limits.entries ?? 256;
    this.maxBytes = limits.bytes ?? 64 * 1024 * 1024;
  }

  /** The plan cached under `key`, if any and still valid (counts a hit; a miss is counted by `add`). */
  get(key: string): CompiledPlan | undefined {
    const entry = this.map.get(key);
    if (!entry) return undefined;
    for (const op of entry.ops) {
      if (entry.registry.get(op.name) !== op) {
        // re-registered since: the plan would run the old function
        this.drop(key, entry);
        return undefined;
      }
    }
    this.map.delete(key);
    this.map.set(key, entry);
    this.counts.hits += 1;
    return entry.plan;
  }

  /** Caches `plan` under `key` (a miss), dropping the least recently used beyond the limits. */
  add(key: string, plan: CompiledPlan, registry: OpRegistry): void {
    this.counts.misses += 1;
    if (this.maxEntries <= 0) return;
    const old = this.map.get(key);
    if (old) this.drop(key, old, false);
    const ops = new Set<OpDefinition>();
    for (const g of plan.groups) for (const s of g.program.steps) ops.add(s.op);
    const entry: Entry = { plan, bytes: planBytes(plan), ops: [...ops], registry };
    if (entry.bytes > this.maxBytes) return; // larger than the whole cache: not kept
    this.map.set(key, entry);
    this.held += entry.bytes;
    while (this.map.size > this.maxEntries || this.held > this.maxBytes) {
      const [oldestKey, oldest] = this.map.entries().next().value!;
      this.drop(oldestKey, oldest);
    }
  }

  private drop(key: string, entry: Entry, counts = true): void {
    this.map.delete(key);
    this.held -= entry.bytes;
    if (counts) this.counts.evictions += 1;
  }

  /** Hits, misses, entries, bytes and evictions so far. */
  stats(): PlanCacheStats {
    return { ...this.counts, entries: this.map.size, bytes: this.held };
  }

  /** Forgets every plan (the counts stay). */
  clear(): void {
    this.map.clear();
    this.held = 0;
  }
}

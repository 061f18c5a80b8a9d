/** Seeded random numbers for tests: every failure reproduces from its seed. */
import { seededRandom } from "../../src/model_selection/split.js";

/** mulberry32: a small, fast 32-bit generator; uniform in [0, 1) (the one shuffles use). */
export const rng: (seed: number) => () => number = seededRandom;

/** Standard normal deviates by Box-Muller. */
export function normals(random: () => number, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i += 2) {
    const r = Math.sqrt(-2 * Math.log1p(-random()));
    const t = 2 * Math.PI * random();
    out[i] = r * Math.cos(t);
    if (i + 1 < n) out[i + 1] = r * Math.sin(t);
  }
  return out;
}

/** Random small matrices with random chunkings, for the array property tests. */
import fc from "fast-check";

/** A random rows x cols matrix (row-major values, 0 to 13 rows) with random row and column chunk lengths. */
export const randomMatrix = fc
  .record({
    rows: fc.integer({ min: 0, max: 13 }),
    cols: fc.integer({ min: 1, max: 6 }),
    rowChunk: fc.integer({ min: 1, max: 5 }),
    colChunk: fc.integer({ min: 1, max: 6 }),
    seed: fc.integer({ min: 0, max: 1000 }),
  })
  .map(({ rows, cols, rowChunk, colChunk, seed }) => {
    const data = Float64Array.from({ length: rows * cols }, (_, i) => Math.sin(seed + i * 1.7) * 3 + 0.1);
    return { rows, cols, data, chunks: [rowChunk, colChunk] as [number, number] };
  });

/**
 * Shapes and chunkings past what weft can plan (the issue "Faults and bad input", item 10):
 * `chunks: 1` on a billion rows built for minutes before failing. Chunk counts (MAX_CHUNKS, also
 * for a broadcast of a column against a row) and shapes beyond exact integers are refused at
 * once, by argument, before anything is built.
 */
import { describe, expect, it } from "vitest";
import { ArgumentError, MAX_CHUNKS, array } from "../../src/index.js";

/** Runs `make` and returns what it throws (it must throw). */
function thrown(make: () => unknown): ArgumentError {
  try {
    make();
  } catch (error) {
    expect(error).toBeInstanceOf(ArgumentError);
    return error as ArgumentError;
  }
  throw new Error("expected an ArgumentError");
}

describe("limits checked before any work", () => {
  it("a chunking of more than MAX_CHUNKS chunks is refused, naming 'chunks' and the count", () => {
    expect(MAX_CHUNKS).toBe(2 ** 22);
    const cases: [() => unknown, string][] = [
      [() => array.zeros([1e9], { chunks: 1 }), "1,000,000,000"],
      [() => array.zeros([1e5, 1e5], { chunks: [10, 10] }), "100,000,000"],
      [() => array.random.normal({ shape: [1e9], chunks: 100 }), "10,000,000"],
      [() => array.arange(1e9, { chunks: 10 }), "100,000,000"],
      [() => array.ones([2 ** 22 + 1], { chunks: 1 }).rechunk(1), String((2 ** 22 + 1).toLocaleString("en-US"))],
    ];
    for (const [make, count] of cases) {
      const error = thrown(make);
      expect(error.argument).toBe("chunks");
      expect(error.message).toContain(`this chunking makes ${count}`);
    }
    // at the limit: fine (lazy, nothing computed)
    expect(array.zeros([MAX_CHUNKS], { chunks: 1 }).chunks[0]).toHaveLength(MAX_CHUNKS);
  });

  it("a broadcast whose grid of chunks would pass the limit is refused before its tasks are made", () => {
    const column = array.ones([100_000, 1], { chunks: [10, 1] });
    const row = array.ones([100_000], { chunks: 10 });
    const error = thrown(() => column.add(row));
    expect(error.message).toMatch(/^add: argument 'chunks' must be at most 4,194,304 chunks in all \(this chunking makes 100,000,000/);
  });

  it("shapes beyond exact integers (2^53) are refused", () => {
    for (const shape of [[1e20], [2 ** 30, 2 ** 30]]) {
      const error = thrown(() => array.zeros(shape));
      expect(error.argument).toBe("shape");
    }
  });
});

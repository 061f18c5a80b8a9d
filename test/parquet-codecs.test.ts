/**
 * Parquet files compressed with every codec weft reads, as real writers make them: the files in
 * test/fixtures/parquet-codecs were written by pyarrow and fastparquet and read back by pyarrow
 * and DuckDB (make.py there says how). Each must give the same numbers, which are functions of
 * the row index; a codec weft cannot decode (LZO) is refused by name.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parquetWriteBuffer } from "hyparquet-writer";
import { ParquetError, Runtime, readParquet, readTable } from "../src/index.js";

const fixtures = fileURLToPath(new URL("./fixtures/parquet-codecs/", import.meta.url));
const ROWS = 600;

/** The table make.py writes, column by column. */
const expected = {
  x: Array.from({ length: ROWS }, (_, i) => ((i * 37) % 101) / 8 - 6),
  n: Array.from({ length: ROWS }, (_, i) => ((i * 7) % 13) - 6),
  big: Array.from({ length: ROWS }, (_, i) => i * 1000003 - 500000000),
  z: Array.from({ length: ROWS }, (_, i) => i / 4),
  flag: Array.from({ length: ROWS }, (_, i) => (i % 3 === 0 ? 1 : 0)),
  y: Array.from({ length: ROWS }, (_, i) => i % 2),
};
const features = ["x", "n", "big", "z", "flag"] as const;

let rt: Runtime;
beforeAll(async () => {
  rt = await Runtime.start({ threads: 1 });
});
afterAll(async () => {
  await rt.close();
});

describe("Parquet codecs", () => {
  const files = [
    ["uncompressed.parquet", "UNCOMPRESSED (pyarrow)"],
    ["snappy.parquet", "SNAPPY (pyarrow)"],
    ["gzip.parquet", "GZIP (pyarrow)"],
    ["brotli.parquet", "BROTLI (pyarrow)"],
    ["zstd.parquet", "ZSTD (pyarrow)"],
    ["lz4_raw.parquet", "LZ4_RAW (pyarrow)"],
    ["lz4-block.parquet", "LZ4, a bare block per page (fastparquet)"],
    ["lz4-hadoop.parquet", "LZ4, Hadoop-framed (as parquet-mr writes it)"],
  ] as const;

  for (const [file, codec] of files) {
    it(`reads ${codec}`, async () => {
      const t = await readParquet(join(fixtures, file), { target: "y", chunkRows: 128 });
      expect(t.features).toEqual(features);
      expect(t.rows).toBe(ROWS);
      const X = (await t.X.toTypedArray({ runtime: rt })) as Float64Array;
      for (const [j, name] of features.entries()) {
        const column = Array.from({ length: ROWS }, (_, i) => X[i * features.length + j]);
        expect(column, name).toEqual(expected[name]);
      }
      expect(Array.from((await t.y!.toTypedArray({ runtime: rt })) as Float64Array)).toEqual(expected.y);
    });
  }

  it("reads through readTable, a column subset of a compressed file", async () => {
    const t = await readTable(join(fixtures, "zstd.parquet"), { target: "y", features: ["z", "x"] });
    const X = (await t.X.toTypedArray({ runtime: rt })) as Float64Array;
    expect(Array.from(X.subarray(0, 6))).toEqual([
      expected.z[0],
      expected.x[0],
      expected.z[1],
      expected.x[1],
      expected.z[2],
      expected.x[2],
    ]);
  });

  describe("a codec weft cannot decode", () => {
    let path: string;
    beforeAll(() => {
      // b's footer says LZO but its pages are stored as they are (no LZO compressor here): the
      // footer is all the reader looks at before refusing
      const buffer = parquetWriteBuffer({
        columnData: [
          { name: "a", data: [1, 2, 3], type: "DOUBLE", codec: "SNAPPY" },
          { name: "b", data: [4, 5, 6], type: "DOUBLE", codec: "LZO" },
        ],
        compressors: { LZO: (bytes) => bytes },
      });
      path = join(mkdtempSync(join(tmpdir(), "weft-codecs-")), "lzo.parquet");
      writeFileSync(path, Buffer.from(buffer));
    });

    it("is refused with a ParquetError naming the codec, the column and the file", async () => {
      const read = readParquet(path);
      await expect(read).rejects.toBeInstanceOf(ParquetError);
      await expect(read).rejects.toThrow(/column 'b' compressed with LZO/);
      await expect(read).rejects.toThrow(path);
    });

    it("does not stop the other columns from being read", async () => {
      const t = await readParquet(path, { features: ["a"] });
      expect(Array.from((await t.X.toTypedArray({ runtime: rt })) as Float64Array)).toEqual([1, 2, 3]);
      await expect(readParquet(path, { features: ["b"] })).rejects.toThrow(/LZO/);
    });
  });
});

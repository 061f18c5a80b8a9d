/**
 * Readers facing corrupt or hostile files (the issue "Faults and bad input", item 10): a huge
 * NPY header length, a Parquet file with a corrupt page, chunkRows 0 (reported as `chunks`, after
 * the whole file was read): each a typed error naming the file or the argument, before work.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { parquetWriteBuffer } from "hyparquet-writer";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ArgumentError, NpyError, ParquetError, readCsv, readNpy, readParquet } from "../../src/index.js";

const dir = mkdtempSync(join(tmpdir(), "weft-readers-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("corrupt and hostile files", () => {
  it("an NPY header claiming 4 GB is refused before it is read", async () => {
    const path = join(dir, "huge.npy");
    const head = Buffer.alloc(16);
    Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 2, 0]).copy(head); // \x93NUMPY, version 2.0
    head.writeUInt32LE(0xfffffff0, 8);
    writeFileSync(path, head);
    await expect(readNpy(path)).rejects.toThrow(NpyError);
    await expect(readNpy(path)).rejects.toThrow(/a header of at most 65536 bytes/);
  });

  it("a Parquet file with a corrupt page is a ParquetError naming the file", async () => {
    const good = parquetWriteBuffer({
      columnData: [
        { name: "a", data: Float64Array.from({ length: 500 }, (_, i) => i), type: "DOUBLE" },
        { name: "label", data: Float64Array.from({ length: 500 }, (_, i) => i % 2), type: "DOUBLE" },
      ],
    });
    const bad = Buffer.from(good);
    for (let i = 4; i < Math.min(bad.length - 8, 200); i++) bad[i] = 0xff; // pages, not the footer
    const path = join(dir, "corrupt.parquet");
    writeFileSync(path, bad);
    const error = await readParquet(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ParquetError);
    expect(String((error as Error).message)).toContain("corrupt.parquet");
  });

  it("chunkRows 0 is refused by name, before the file is read", async () => {
    const path = join(dir, "t.csv");
    writeFileSync(path, "a,b\n1,2\n");
    await expect(readCsv(path, { chunkRows: 0 })).rejects.toThrow(/'chunkRows' must be a whole number >= 1/);
    await expect(readCsv(join(dir, "missing.csv"), { chunkRows: 0 })).rejects.toThrow(ArgumentError); // not a missing-file error: checked first
    await expect(readParquet(join(dir, "missing.parquet"), { chunkRows: 0 })).rejects.toThrow(/'chunkRows'/);
    await expect(readNpy(join(dir, "missing.npy"), { chunkRows: 0 })).rejects.toThrow(
      /readNpy: argument 'chunkRows' must be a whole number >= 1/,
    );
  });
});

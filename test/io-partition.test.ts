/**
 * Reading one part of a data file's rows (what a cluster worker reads): parts of NPY (C and
 * Fortran order) and Parquet (several row groups) files are read from their byte ranges alone,
 * counted on an HTTP server on 127.0.0.1; every format's parts, put together, are the whole file.
 */
import { createServer, type Server } from "node:http";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parquetWriteBuffer } from "hyparquet-writer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ArgumentError, Runtime, readTable, type Table } from "../src/index.js";
import { readNpyValues } from "../src/io/index.js";
import { partitionRows, readTablePart } from "../src/io/table.js";

const ROWS = 30_000;
const THIRD = ROWS / 3;
let dir: string;
let server: Server;
let base: string;
let rt: Runtime;
/** Bytes the server sent, by file. */
const sent = new Map<string, number>();

/** An .npy file of `values` (float64), C or Fortran order. */
function npyBytes(shape: [number, number], values: Float64Array, fortran: boolean): Buffer {
  const header = `{'descr': '<f8', 'fortran_order': ${fortran ? "True" : "False"}, 'shape': (${shape[0]}, ${shape[1]}), }`;
  const padded = `${header + " ".repeat(64 - ((10 + header.length + 1) % 64))}\n`;
  return Buffer.concat([
    Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, padded.length, 0]),
    Buffer.from(padded, "latin1"),
    Buffer.from(values.buffer),
  ]);
}

/** Row r's value in column j (the target is column 3). */
const cell = (r: number, j: number) => (j === 3 ? r % 2 : Math.sin(r * (j + 1)) * 10 ** j);

beforeAll(async () => {
  rt = await Runtime.start({ threads: 1 });
  dir = mkdtempSync(join(tmpdir(), "weft-part-"));
  const byRow = Float64Array.from({ length: ROWS * 4 }, (_, k) => cell(Math.floor(k / 4), k % 4));
  const byColumn = Float64Array.from({ length: ROWS * 4 }, (_, k) => cell(k % ROWS, Math.floor(k / ROWS)));
  writeFileSync(join(dir, "c.npy"), npyBytes([ROWS, 4], byRow, false));
  writeFileSync(join(dir, "f.npy"), npyBytes([ROWS, 4], byColumn, true));
  const column = (j: number) => Array.from({ length: ROWS }, (_, r) => cell(r, j));
  writeFileSync(
    join(dir, "t.parquet"),
    Buffer.from(
      parquetWriteBuffer({
        columnData: ["a", "b", "c", "y"].map((name, j) => ({ name, data: column(j), type: "DOUBLE" as const })),
        rowGroupSize: 5000,
      }),
    ),
  );
  writeFileSync(
    join(dir, "t.csv"),
    `a,b,c,y\n${Array.from({ length: ROWS }, (_, r) => [0, 1, 2, 3].map((j) => cell(r, j)).join(",")).join("\n")}\n`,
  );
  server = createServer((req, res) => {
    const name = decodeURIComponent(req.url!.slice(1));
    const body = readFileSync(join(dir, name));
    const range = /bytes=(\d+)-(\d+)/.exec(req.headers.range ?? "");
    const [from, to] = range ? [Number(range[1]), Math.min(Number(range[2]), body.length - 1)] : [0, body.length - 1];
    if (req.method !== "HEAD") sent.set(name, (sent.get(name) ?? 0) + to - from + 1);
    res
      .writeHead(range ? 206 : 200, {
        "Content-Length": to - from + 1,
        ...(range ? { "Content-Range": `bytes ${from}-${to}/${body.length}` } : {}),
      })
      .end(req.method === "HEAD" ? undefined : body.subarray(from, to + 1));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(async () => {
  await rt.close();
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

const values = async (t: Table) => ({
  X: Array.from((await t.X.compute({ runtime: rt })) as Float64Array),
  y: Array.from((await t.y!.compute({ runtime: rt })) as Float64Array),
});

describe("a part of a file's rows", () => {
  it("partitionRows: equal ranges in order, covering every row once", () => {
    expect([0, 1, 2].map((p) => partitionRows(10, p, 3))).toEqual([
      [0, 3],
      [3, 6],
      [6, 10],
    ]);
    expect(partitionRows(2, 0, 3)).toEqual([0, 0]);
  });

  for (const file of ["c.npy", "f.npy", "t.parquet", "t.csv"]) {
    it(`${file}: three parts put together are the whole file`, async () => {
      const options = { target: file.endsWith(".npy") ? "3" : "y" };
      const whole = await values(await readTable(join(dir, file), options));
      const parts = await Promise.all([0, 1, 2].map((p) => readTablePart(join(dir, file), options, p, 3)));
      expect(parts.map((p) => [p.start, p.end, p.total])).toEqual([
        [0, THIRD, ROWS],
        [THIRD, 2 * THIRD, ROWS],
        [2 * THIRD, ROWS, ROWS],
      ]);
      const got = await Promise.all(parts.map((p) => values(p.table)));
      expect(got.flatMap((g) => g.X)).toEqual(whole.X);
      expect(got.flatMap((g) => g.y)).toEqual(whole.y);
      expect(parts.map((p) => p.table.rows)).toEqual([THIRD, THIRD, THIRD]);
    });
  }

  for (const file of ["c.npy", "f.npy", "t.parquet"]) {
    it(`${file} by URL: a part is read from its own byte ranges (a third of the file, not all of it)`, async () => {
      const size = readFileSync(join(dir, file)).length;
      sent.delete(file);
      const options = { target: file.endsWith(".npy") ? "3" : "y" };
      const part = await readTablePart(`${base}/${file}`, options, 1, 3);
      expect((await values(part.table)).y).toEqual(Array.from({ length: THIRD }, (_, i) => (THIRD + i) % 2));
      // the rows' bytes and the header or footer (Parquet: the row groups holding rows 1000-1999, of six)
      expect(sent.get(file)!).toBeLessThan(0.5 * size);
      expect(sent.get(file)!).toBeGreaterThan(0.3 * size);
    });
  }

  it("refuses a range outside the file", async () => {
    await expect(readNpyValues(join(dir, "c.npy"), undefined, undefined, [10, ROWS + 1])).rejects.toThrow(ArgumentError);
    await expect(readNpyValues(join(dir, "c.npy"), undefined, undefined, [5, 4])).rejects.toThrow(/rows/);
  });
});

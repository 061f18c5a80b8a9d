/**
 * Apache Arrow in and out: fromArrow on tables made with apache-arrow (every numeric type,
 * several record batches, sliced data, nulls refused, dropped or filled), toArrow and the round
 * trip, Arrow IPC files and streams written by apache-arrow and read back by readArrowIpc and
 * readTable, Feather v2 files compressed by pyarrow (LZ4 frames and ZSTD; fixtures), the LZ4
 * frame decoder on hand-made frames, a fit on Arrow data against the same numbers from a typed
 * array, `weft fit` on an .arrow file, and weft without apache-arrow installed (child processes).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as arrow from "apache-arrow";
import { ArrowError, type ChunkedArray, Runtime, array, glm, readArrowIpc, readTable } from "../src/index.js";
import { decodeLz4Frames, Lz4FrameError } from "../src/io/lz4-frame.js";

let rt: Runtime;
let dir: string;
beforeAll(async () => {
  rt = await Runtime.start({ threads: 2 });
  dir = mkdtempSync(join(tmpdir(), "weft-arrow-"));
});
afterAll(async () => {
  await rt.close();
});

const values = async (x: ChunkedArray) => Array.from((await x.toTypedArray({ runtime: rt })) as Float64Array);

/** A table of `batches` record batches, each a slice of one table (so later ones have an offset). */
function batched(columns: Record<string, arrow.Vector>, cut: number[]): arrow.Table {
  const whole = new arrow.Table(columns);
  const batches: arrow.RecordBatch[] = [];
  for (let k = 0; k + 1 < cut.length; k++) batches.push(...whole.slice(cut[k], cut[k + 1]).batches);
  return new arrow.Table(batches);
}

describe("array.fromArrow", () => {
  const table = arrow.tableFromArrays({
    a: Float64Array.of(1.5, -2, 3.25, 4, 5),
    b: Int32Array.of(10, 20, 30, 40, 50),
    c: Float64Array.of(0.5, 0.25, 0.125, 0, -1),
  });

  it("a list of columns gives a 2-D array in that order, a name a 1-D array, none every column", async () => {
    const X = array.fromArrow(table, { columns: ["c", "a"] });
    expect(X.shape).toEqual([5, 2]);
    expect(await values(X)).toEqual([0.5, 1.5, 0.25, -2, 0.125, 3.25, 0, 4, -1, 5]);
    const b = array.fromArrow(table, { columns: "b" });
    expect(b.shape).toEqual([5]);
    expect(await values(b)).toEqual([10, 20, 30, 40, 50]);
    const one = array.fromArrow(table, { columns: ["b"] });
    expect(one.shape).toEqual([5, 1]);
    const all = array.fromArrow(table);
    expect(all.shape).toEqual([5, 3]);
    expect((await values(all)).slice(0, 3)).toEqual([1.5, 10, 0.5]);
    // a RecordBatch too
    expect(await values(array.fromArrow(table.batches[0]!, { columns: "a" }))).toEqual([1.5, -2, 3.25, 4, 5]);
  });

  it("reads every numeric type: floats, signed and unsigned integers of each width, booleans", async () => {
    const t = new arrow.Table({
      f64: arrow.makeVector(Float64Array.of(0.1, -2.5, 1e300)),
      f32: arrow.makeVector(Float32Array.of(0.1, -2.5, 3e38)),
      f16: arrow.vectorFromArray([0.5, -2.5, 65504], new arrow.Float16()),
      i8: arrow.makeVector(Int8Array.of(-128, 0, 127)),
      i16: arrow.makeVector(Int16Array.of(-32768, 1, 32767)),
      i32: arrow.makeVector(Int32Array.of(-(2 ** 31), 2, 2 ** 31 - 1)),
      i64: arrow.makeVector(BigInt64Array.of(-(2n ** 53n), 3n, 2n ** 53n)),
      u8: arrow.makeVector(Uint8Array.of(0, 1, 255)),
      u16: arrow.makeVector(Uint16Array.of(0, 2, 65535)),
      u32: arrow.makeVector(Uint32Array.of(0, 3, 2 ** 32 - 1)),
      u64: arrow.makeVector(BigUint64Array.of(0n, 4n, 2n ** 53n)),
      bool: arrow.vectorFromArray([true, false, true], new arrow.Bool()),
    });
    const names = t.schema.fields.map((f) => f.name);
    const X = (await array.fromArrow(t).toTypedArray({ runtime: rt })) as Float64Array;
    const column = (name: string) => [0, 1, 2].map((r) => X[r * names.length + names.indexOf(name)]);
    expect(column("f64")).toEqual([0.1, -2.5, 1e300]);
    expect(column("f32")).toEqual([Math.fround(0.1), -2.5, Math.fround(3e38)]);
    expect(column("f16")).toEqual([0.5, -2.5, 65504]);
    expect(column("i8")).toEqual([-128, 0, 127]);
    expect(column("i16")).toEqual([-32768, 1, 32767]);
    expect(column("i32")).toEqual([-(2 ** 31), 2, 2 ** 31 - 1]);
    expect(column("i64")).toEqual([-(2 ** 53), 3, 2 ** 53]);
    expect(column("u8")).toEqual([0, 1, 255]);
    expect(column("u16")).toEqual([0, 2, 65535]);
    expect(column("u32")).toEqual([0, 3, 2 ** 32 - 1]);
    expect(column("u64")).toEqual([0, 4, 2 ** 53]);
    expect(column("bool")).toEqual([1, 0, 1]);
  });

  it("float32 columns give a float32 array, unless a dtype is asked for; mixed ones float64", async () => {
    const t = arrow.tableFromArrays({ a: Float32Array.of(1.5, 2.5), b: Float32Array.of(3, 4), c: Float64Array.of(5, 6) });
    const f32 = array.fromArrow(t, { columns: ["a", "b"] });
    expect(f32.dtype).toBe("float32");
    expect(Array.from((await f32.toTypedArray({ runtime: rt })) as Float32Array)).toEqual([1.5, 3, 2.5, 4]);
    expect(array.fromArrow(t, { columns: ["a", "b"], dtype: "float64" }).dtype).toBe("float64");
    expect(array.fromArrow(t).dtype).toBe("float64");
    expect(array.fromArrow(t, { columns: "c", dtype: "float32" }).dtype).toBe("float32");
  });

  it("reads across record batches, sliced ones included, whatever the chunking", async () => {
    const n = 23;
    const x = Float64Array.from({ length: n }, (_, i) => i * 1.5 - 7);
    const k = BigInt64Array.from({ length: n }, (_, i) => BigInt(i * 3));
    const flag = arrow.vectorFromArray(Array.from({ length: n }, (_, i) => i % 3 === 0));
    const t = batched({ x: arrow.makeVector(x), k: arrow.makeVector(k), flag }, [0, 4, 5, 13, 23]);
    expect(t.batches.length).toBe(4);
    const expected = Array.from({ length: n }, (_, i) => [i * 1.5 - 7, i * 3, i % 3 === 0 ? 1 : 0]).flat();
    for (const chunks of [
      undefined,
      1,
      3,
      7,
      23,
      [
        [10, 13],
        [2, 1],
      ],
    ] as const) {
      const X = array.fromArrow(t, { chunks: chunks as never });
      expect(await values(X), `chunks ${JSON.stringify(chunks)}`).toEqual(expected);
    }
    // by default the batches are the chunks, small ones merged (a batch is never split)
    expect(array.fromArrow(t).chunks).toEqual([[23], [3]]);
    expect(array.fromArrow(t, { chunks: 5 }).chunks).toEqual([[5, 5, 5, 5, 3], [3]]);
    expect(await values(array.fromArrow(t, { columns: "k", chunks: 4 }))).toEqual(Array.from(k, Number));
  });

  describe("nulls", () => {
    // a's nulls at rows 1 and 6, b's at row 4; the table in two batches, the second sliced
    const a = arrow.vectorFromArray([1, null, 3, 4, 5, 6, null, 8], new arrow.Float64());
    const b = arrow.vectorFromArray([10, 20, 30, 40, null, 60, 70, 80], new arrow.Int32());
    const c = arrow.vectorFromArray([1, 2, 3, 4, 5, 6, 7, 8], new arrow.Float64());
    const t = batched({ a, b, c }, [0, 3, 8]);

    it("are refused by default, with an ArrowError naming the column and the row", () => {
      expect(() => array.fromArrow(t)).toThrow(ArrowError);
      expect(() => array.fromArrow(t)).toThrow(/a null in row 1, column 'a'/);
      expect(() => array.fromArrow(t, { columns: "b" })).toThrow(/a null in row 4, column 'b'/);
      expect(() => array.fromArrow(t, { columns: "b" })).toThrow(/missing: 'drop' or a fill value/);
    });

    it("in columns not read do not matter", async () => {
      expect(await values(array.fromArrow(t, { columns: "c" }))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    });

    it("missing: 'drop' drops the rows with a null in any column read, over any chunking", async () => {
      for (const chunks of [undefined, 1, 2, 5]) {
        const X = array.fromArrow(t, { columns: ["a", "b"], missing: "drop", chunks });
        expect(X.shape).toEqual([5, 2]);
        expect(await values(X)).toEqual([1, 10, 3, 30, 4, 40, 6, 60, 8, 80]);
      }
      expect(await values(array.fromArrow(t, { columns: "a", missing: "drop" }))).toEqual([1, 3, 4, 5, 6, 8]);
    });

    it("missing: a number fills them in", async () => {
      expect(await values(array.fromArrow(t, { columns: ["a", "b"], missing: -1, chunks: 3 }))).toEqual([
        1, 10, -1, 20, 3, 30, 4, 40, 5, -1, 6, 60, -1, 70, 8, 80,
      ]);
    });

    it("a NaN is a value, not a null", async () => {
      const nan = arrow.tableFromArrays({ v: Float64Array.of(1, Number.NaN) });
      expect(await values(array.fromArrow(nan, { columns: "v" }))).toEqual([1, Number.NaN]);
    });
  });

  it("refuses what it cannot read, by name", () => {
    const t = new arrow.Table({
      s: arrow.vectorFromArray(["a", "b"], new arrow.Utf8()),
      d: arrow.vectorFromArray(["x", "y"], new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32())),
      v: arrow.makeVector(Float64Array.of(1, 2)),
    });
    expect(() => array.fromArrow(t)).toThrow(ArrowError);
    expect(() => array.fromArrow(t)).toThrow(/column 's' of type Utf8/);
    expect(() => array.fromArrow(t, { columns: "d" })).toThrow(/dictionary-encoded/);
    expect(() => array.fromArrow(t, { columns: ["v", "w"] })).toThrow(/columns of the table \(s, d, v\)/);
    expect(() => array.fromArrow(t, { columns: ["v", "v"] })).toThrow(/distinct/);
    expect(() => array.fromArrow(t, { columns: [] })).toThrow(/columns/);
    expect(() => array.fromArrow(t, { columns: "v", missing: "skip" as never })).toThrow(/missing/);
    expect(() => array.fromArrow(t, { columns: "v", rows: 1 } as never)).toThrow(/rows/);
    expect(() => array.fromArrow({ numRows: 2 } as never)).toThrow(/an Arrow Table or RecordBatch/);
    expect(() => array.fromArrow([[1, 2]] as never)).toThrow(/an Arrow Table or RecordBatch/);
  });

  it("reads the Arrow buffers when computed: the graph's input, so a loop over tables of one shape runs one plan", async () => {
    const make = (v: number) => arrow.tableFromArrays({ a: Float64Array.of(v, v + 1, v + 2) });
    const before = rt.planCache.stats();
    for (const v of [1, 10, 100]) expect(await array.fromArrow(make(v), { columns: "a" }).sum().compute({ runtime: rt })).toBe(3 * v + 3);
    const after = rt.planCache.stats();
    expect(after.misses - before.misses).toBe(1);
    expect(after.hits - before.hits).toBe(2);
  });
});

describe("toArrow", () => {
  it("round trips: fromArrow(toArrow(x)) equals x, 2-D and 1-D, float64 and float32", async () => {
    const x = array.random.normal({ shape: [257, 4], chunks: 64, seed: 3 });
    const t = (await x.toArrow({ runtime: rt })) as arrow.Table;
    expect(t.numRows).toBe(257);
    expect(t.schema.fields.map((f) => [f.name, String(f.type)])).toEqual([
      ["0", "Float64"],
      ["1", "Float64"],
      ["2", "Float64"],
      ["3", "Float64"],
    ]);
    expect(await values(array.fromArrow(t))).toEqual(await values(x));
    expect(Array.from(t.getChild("2")!.toArray() as Float64Array)).toEqual(await values(x.columns([2])));

    const v = array.linspace(0, 1, 11, { chunks: 4 });
    const tv = (await array.toArrow(v, { names: ["v"], runtime: rt })) as arrow.Table;
    expect(tv.schema.fields.map((f) => f.name)).toEqual(["v"]);
    expect(await values(array.fromArrow(tv, { columns: "v" }))).toEqual(await values(v));

    const f = x.astype("float32");
    const tf = (await f.toArrow({ names: ["a", "b", "c", "d"], runtime: rt })) as arrow.Table;
    expect(String(tf.schema.fields[0]!.type)).toBe("Float32");
    const back = array.fromArrow(tf);
    expect(back.dtype).toBe("float32");
    expect(Array.from((await back.toTypedArray({ runtime: rt })) as Float32Array)).toEqual(
      Array.from((await f.toTypedArray({ runtime: rt })) as Float32Array),
    );
  });

  it("refuses names that do not fit and 0-D arrays", async () => {
    const x = array.fromRows([
      [1, 2],
      [3, 4],
    ]);
    await expect(x.toArrow({ names: ["a"] })).rejects.toThrow(/2 distinct column names/);
    await expect(x.toArrow({ names: ["a", "a"] })).rejects.toThrow(/distinct/);
    await expect(x.sum().toArrow()).rejects.toThrow(/a 1-D or 2-D array/);
    await expect(x.toArrow({ colour: 1 } as never)).rejects.toThrow(/colour/);
  });
});

describe("readArrowIpc", () => {
  const n = 300;
  const columns = {
    a: arrow.makeVector(Float64Array.from({ length: n }, (_, i) => Math.sin(i))),
    b: arrow.makeVector(Int32Array.from({ length: n }, (_, i) => (i * 7) % 11)),
    label: arrow.makeVector(Float64Array.from({ length: n }, (_, i) => (Math.sin(i) + ((i * 7) % 11) / 10 > 0.5 ? 1 : 0))),
  };
  const table = batched(columns, [0, 100, 250, 300]);
  const expectedX = Array.from({ length: n }, (_, i) => [Math.sin(i), (i * 7) % 11]).flat();

  it("reads IPC files and streams written by apache-arrow, by path and by URL, and readTable picks it by extension", async () => {
    writeFileSync(join(dir, "t.arrow"), arrow.tableToIPC(table, "file"));
    writeFileSync(join(dir, "t.arrows"), arrow.tableToIPC(table, "stream"));
    writeFileSync(join(dir, "t.feather"), arrow.tableToIPC(table, "file"));
    for (const file of ["t.arrow", "t.arrows", "t.feather"]) {
      const t = await readArrowIpc(join(dir, file), { target: "label" });
      expect(t.features).toEqual(["a", "b"]);
      expect(t.rows).toBe(n);
      expect(await values(t.X)).toEqual(expectedX);
      expect(await values(t.y!)).toEqual(Array.from(columns.label.toArray() as Float64Array));
      expect(t.X.chunks[0]).toEqual(t.y!.chunks[0]);
      const viaTable = await readTable(pathToFileURL(join(dir, file)).href, { target: "label", features: ["b"], chunkRows: 64 });
      expect(viaTable.X.chunks).toEqual([[64, 64, 64, 64, 44], [1]]);
      expect(await values(viaTable.X)).toEqual(Array.from(columns.b.toArray() as Int32Array));
    }
  });

  it("refuses a file that is not Arrow, a missing column, and a null unless told what to do", async () => {
    writeFileSync(join(dir, "not.arrow"), "a,b\n1,2\n");
    await expect(readArrowIpc(join(dir, "not.arrow"))).rejects.toThrow(ArrowError);
    await expect(readArrowIpc(join(dir, "not.arrow"))).rejects.toThrow(/not\.arrow/);
    writeFileSync(join(dir, "t.arrow"), arrow.tableToIPC(table, "file"));
    await expect(readArrowIpc(join(dir, "t.arrow"), { target: "nope" })).rejects.toThrow(/target/);
    await expect(readArrowIpc(join(dir, "t.arrow"), { features: ["a", "label"], target: "label" })).rejects.toThrow(
      /other than the target/,
    );
    await expect(readArrowIpc(join(dir, "t.arrow"), { header: true } as never)).rejects.toThrow(/header/);
    const words = new arrow.Table({ s: arrow.vectorFromArray(["a", "b"], new arrow.Utf8()), v: arrow.makeVector(Float64Array.of(1, 2)) });
    writeFileSync(join(dir, "words.arrow"), arrow.tableToIPC(words, "file"));
    await expect(readArrowIpc(join(dir, "words.arrow"))).rejects.toThrow(/Arrow IPC file .*words\.arrow.*column 's' of type Utf8/);
    const holes = new arrow.Table({
      x: arrow.vectorFromArray([1, 2, null, 4], new arrow.Float64()),
      y: arrow.vectorFromArray([0, null, 1, 1], new arrow.Float64()),
    });
    writeFileSync(join(dir, "holes.arrow"), arrow.tableToIPC(holes, "file"));
    await expect(readArrowIpc(join(dir, "holes.arrow"), { target: "y" })).rejects.toThrow(/a null in row 2, column 'x'/);
    const dropped = await readTable(join(dir, "holes.arrow"), { target: "y", missing: "drop" });
    expect(dropped.rows).toBe(2);
    expect(await values(dropped.X)).toEqual([1, 4]);
    expect(await values(dropped.y!)).toEqual([0, 1]);
  });

  describe("Feather v2 compressed by pyarrow (fixtures)", () => {
    const fixtures = fileURLToPath(new URL("./fixtures/arrow-ipc/", import.meta.url));
    const rows = 24_000;
    const expected = {
      x: Array.from({ length: rows }, (_, i) => ((i * 37) % 101) / 8 - 6),
      n: Array.from({ length: rows }, (_, i) => ((i * 7) % 13) - 6),
      z: Array.from({ length: rows }, (_, i) => (i % 1000) / 4),
      y: Array.from({ length: rows }, (_, i) => i % 2),
    };
    for (const codec of ["lz4", "zstd"]) {
      it(`reads ${codec === "lz4" ? "LZ4 frames (linked 64 KiB blocks)" : "ZSTD"}`, async () => {
        const file = join(fixtures, `${codec}.feather`);
        const t = await readArrowIpc(file, { target: "y", features: ["x", "z"] });
        const X = await values(t.X);
        expect(X.filter((_, k) => k % 2 === 0)).toEqual(expected.x);
        expect(X.filter((_, k) => k % 2 === 1)).toEqual(expected.z);
        expect(await values(t.y!)).toEqual(expected.y);
        await expect(readArrowIpc(file, { target: "y" })).rejects.toThrow(/a null in row 0, column 'n'/);
        const filled = await readArrowIpc(file, { features: ["n"], missing: 99 });
        expect(await values(filled.X)).toEqual(expected.n.map((v, i) => (i % 1000 === 0 ? 99 : v)));
      });
    }
  });
});

describe("the LZ4 frame decoder", () => {
  const header = [0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x00]; // magic, FLG (version 1, independent blocks), BD, HC
  const frame = (...blocks: number[][]) => Uint8Array.from([...header, ...blocks.flatMap((b) => [...b]), 0, 0, 0, 0]);
  const block = (bytes: number[], stored = false) => [bytes.length & 0xff, bytes.length >> 8, 0, stored ? 0x80 : 0, ...bytes];
  const text = (b: Uint8Array) => new TextDecoder().decode(b);

  it("decodes literals, overlapping matches, stored blocks, and matches reaching into the block before", () => {
    // 'a', then a match 1 back of 10 bytes (overlapping: repeats 'a'), then 'b' as the last literals
    expect(text(decodeLz4Frames(frame(block([0x16, 0x61, 0x01, 0x00, 0x10, 0x62]))))).toBe("aaaaaaaaaaab");
    expect(text(decodeLz4Frames(frame(block([0x68, 0x69], true))))).toBe("hi");
    // a second block copying 4 bytes from 6 back: from the first block (a linked frame)
    const linked = frame(block([0x60, ...new TextEncoder().encode("abcdef")]), block([0x00, 0x06, 0x00, 0x10, 0x21]));
    expect(text(decodeLz4Frames(linked))).toBe("abcdefabcd!");
    // two frames one after the other
    expect(text(decodeLz4Frames(Uint8Array.from([...frame(block([0x10, 0x61])), ...frame(block([0x10, 0x62]))])))).toBe("ab");
  });

  it("refuses what is not a well-formed frame", () => {
    expect(() => decodeLz4Frames(Uint8Array.of(1, 2, 3, 4, 5))).toThrow(Lz4FrameError);
    expect(() => decodeLz4Frames(frame(block([0x10, 0x61, 0x09, 0x00])))).toThrow(/offset 9 out of range/);
    expect(() => decodeLz4Frames(frame(block([0x50, 0x61])))).toThrow(/past the end/);
    expect(() => decodeLz4Frames(Uint8Array.from(header))).toThrow(/truncated/);
  });
});

describe("fitting on Arrow data", () => {
  it("gives what the same numbers from a typed array give", async () => {
    const n = 2_000;
    const a = Float64Array.from({ length: n }, (_, i) => Math.sin(i * 0.37));
    const b = Int16Array.from({ length: n }, (_, i) => (i * 13) % 17);
    const y = Float64Array.from({ length: n }, (_, i) => (a[i]! + b[i]! / 8 - 1 + 0.5 * Math.cos(i) > 0 ? 1 : 0));
    const t = batched({ a: arrow.makeVector(a), b: arrow.makeVector(b), y: arrow.makeVector(y) }, [0, 700, 1500, 2000]);
    const X = array.fromArrow(t, { columns: ["a", "b"], chunks: 500 });
    const typed = array.fromTypedArray(
      Float64Array.from({ length: 2 * n }, (_, k) => (k % 2 === 0 ? a[k >> 1]! : b[k >> 1]!)),
      { shape: [n, 2], chunks: [500, 2] },
    );
    const fromArrow = await new glm.LogisticRegression({ lambda: 1, runtime: rt }).fit(
      X,
      array.fromArrow(t, { columns: "y", chunks: 500 }),
    );
    const fromTyped = await new glm.LogisticRegression({ lambda: 1, runtime: rt }).fit(typed, array.fromTypedArray(y, { chunks: 500 }));
    expect(fromArrow.coef).toEqual(fromTyped.coef);
    expect(fromArrow.intercept).toEqual(fromTyped.intercept);
  });
});

describe("child processes (the built package)", () => {
  const dist = fileURLToPath(new URL("../dist/src/index.js", import.meta.url));
  const cli = fileURLToPath(new URL("../dist/src/cli/index.js", import.meta.url));
  const node = (args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, args, { timeout: 60_000 }, (error, stdout, stderr) =>
        resolve({ code: error ? (error.code as number) : 0, stdout, stderr }),
      );
    });

  it("weft fit reads an .arrow file as the library does", async () => {
    const n = 400;
    const a = Float64Array.from({ length: n }, (_, i) => Math.sin(i));
    const b = Float64Array.from({ length: n }, (_, i) => Math.cos(i * 0.7));
    const label = Float64Array.from({ length: n }, (_, i) => (a[i]! - 0.5 * b[i]! + 0.3 * Math.sin(i * 3.1) > 0 ? 1 : 0));
    const path = join(dir, "train.arrow");
    writeFileSync(path, arrow.tableToIPC(arrow.tableFromArrays({ a, b, label }), "file"));
    const fit = await node([cli, "fit", path, "--target", "label", "--lambda", "0.5", "--json", "--threads", "2"]);
    expect(fit.stderr).toBe("");
    expect(fit.code).toBe(0);
    const result = JSON.parse(fit.stdout);
    expect(result.features).toEqual(["a", "b"]);
    const t = await readArrowIpc(path, { target: "label" });
    const lib = await new glm.LogisticRegression({ lambda: 0.5, runtime: rt }).fit(t.X, t.y!);
    result.coef.forEach((c: number, j: number) => expect(c).toBeCloseTo(lib.coef![j]!, 6));
  }, 120_000);

  it("without apache-arrow: fromArrow works on Arrow-shaped data, toArrow and readArrowIpc say to install it", async () => {
    // a resolve hook that finds no apache-arrow, as in a project that did not install it
    const hook = join(dir, "no-arrow.mjs");
    writeFileSync(
      hook,
      `import { register } from "node:module";
register("data:text/javascript," + encodeURIComponent(\`
export async function resolve(specifier, context, next) {
  if (specifier === "apache-arrow" || specifier.startsWith("apache-arrow/")) {
    const error = new Error("Cannot find package 'apache-arrow' imported from " + context.parentURL);
    error.code = "ERR_MODULE_NOT_FOUND";
    throw error;
  }
  return next(specifier, context);
}\`));
`,
    );
    const program = join(dir, "no-arrow-program.mjs");
    writeFileSync(
      program,
      `
const weft = await import(${JSON.stringify(pathToFileURL(dist).href)});
const out = {};
try { await import("apache-arrow"); out.arrow = "found"; } catch (e) { out.arrow = e.code; }
// what fromArrow reads of a Table: numRows, schema.fields, getChildAt(i).data[k]
const column = { type: { typeId: 3, precision: 2 }, data: [{ type: { typeId: 3, precision: 2 }, values: Float64Array.of(1, 2, 3), offset: 0, length: 3, nullCount: 0 }] };
const table = { numRows: 3, schema: { fields: [{ name: "v" }] }, getChildAt: () => column };
const x = weft.array.fromArrow(table, { columns: "v" });
out.values = Array.from(await x.toTypedArray());
for (const [name, call] of [["toArrow", () => x.toArrow()], ["readArrowIpc", () => weft.readArrowIpc("t.arrow")]]) {
  try { await call(); out[name] = "no error"; } catch (e) { out[name] = [e.name, e instanceof weft.ArrowUnavailableError, e.message]; }
}
console.log(JSON.stringify(out));
process.exit(0);
`,
    );
    const run = await node(["--import", pathToFileURL(hook).href, program]);
    expect(run.stderr).toBe("");
    const out = JSON.parse(run.stdout);
    expect(out.arrow).toBe("ERR_MODULE_NOT_FOUND"); // the hook works
    expect(out.values).toEqual([1, 2, 3]);
    for (const name of ["toArrow", "readArrowIpc"]) {
      expect(out[name][0]).toBe("ArrowUnavailableError");
      expect(out[name][1]).toBe(true);
      expect(out[name][2]).toMatch(/npm install apache-arrow/);
    }
  }, 60_000);
});

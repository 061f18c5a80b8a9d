/**
 * Data in and out: round trips of every format, malformed files with errors naming line and
 * column, range reads over HTTP from a server on 127.0.0.1, and the `weft fit` / `weft predict`
 * commands end to end in a child process, compared with the library API.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { createServer, type Server } from "node:http";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parquetWriteBuffer } from "hyparquet-writer";
import { Runtime, StorageError, glm, openSource, readCsv, readNpy, readParquet, readTable, writeCsv, writeNpy } from "../src/index.js";
import { readNpyValues } from "../src/io/index.js";

let rt: Runtime;
let dir: string;
let server: Server;
let base: string;
const rangeRequests: string[] = [];
/** GETs of ?norange files (a server that ignores Range), and HEADs refused for ?presigned ones. */
const fullReads: string[] = [];
const refusedHeads: string[] = [];

beforeAll(async () => {
  rt = await Runtime.start({ threads: 2 });
  dir = mkdtempSync(join(tmpdir(), "weft-io-"));
  server = createServer((req, res) => {
    let body: Buffer;
    try {
      body = readFileSync(join(dir, decodeURIComponent(req.url!.slice(1).replace(/\?.*$/, ""))));
    } catch {
      res.writeHead(404).end();
      return;
    }
    if (req.url!.endsWith("?presigned") && req.method === "HEAD") {
      refusedHeads.push(req.url!);
      res.writeHead(403).end(); // signed for GET only
      return;
    }
    if (req.url!.endsWith("?norange")) {
      if (req.method !== "HEAD") fullReads.push(req.url!);
      res.writeHead(200, { "Content-Length": body.length }).end(req.method === "HEAD" ? undefined : body);
      return;
    }
    const range = /bytes=(\d+)-(\d+)/.exec(req.headers.range ?? "");
    if (range) {
      rangeRequests.push(req.headers.range!);
      const [from, to] = [Number(range[1]), Math.min(Number(range[2]), body.length - 1)];
      res
        .writeHead(206, { "Content-Range": `bytes ${from}-${to}/${body.length}`, "Content-Length": to - from + 1 })
        .end(body.subarray(from, to + 1));
    } else {
      res.writeHead(200, { "Content-Length": body.length }).end(req.method === "HEAD" ? undefined : body);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address() as { port: number };
  base = `http://127.0.0.1:${address.port}`;
});

afterAll(async () => {
  await rt.close();
  await new Promise((r) => server.close(r));
});

const values = async (x: { compute: (o: { runtime: Runtime }) => Promise<unknown> }) =>
  Array.from((await x.compute({ runtime: rt })) as Float64Array);

describe("NPY", () => {
  it("round-trips float64 and reads other dtypes, locally and over HTTP range requests", async () => {
    const data = Float64Array.from({ length: 12 }, (_, i) => i * 1.5 - 3);
    const path = join(dir, "a.npy");
    await writeNpy(path, data, [4, 3]);
    expect(await values(await readNpy(path, { chunkRows: 3 }))).toEqual(Array.from(data));
    rangeRequests.length = 0;
    const remote = await readNpyValues(`${base}/a.npy`);
    expect(remote.shape).toEqual([4, 3]);
    expect(Array.from(remote.data)).toEqual(Array.from(data));
    expect(rangeRequests.length).toBeGreaterThan(0);
    // a presigned URL (HEAD refused): the size comes from a ranged GET's Content-Range
    expect(await openSource(`${base}/a.npy?presigned`).size()).toBe(readFileSync(path).length);
    expect(refusedHeads).toEqual(["/a.npy?presigned"]);
    expect(Array.from((await readNpyValues(`${base}/a.npy?presigned`)).data)).toEqual(Array.from(data));
    // a server that ignores Range: the file comes once, and every read after is served from it
    const whole = await readNpyValues(`${base}/a.npy?norange`);
    expect(Array.from(whole.data)).toEqual(Array.from(data));
    expect(fullReads).toEqual(["/a.npy?norange"]);
    // an int32 file written by hand (NumPy's layout)
    const header = "{'descr': '<i4', 'fortran_order': False, 'shape': (3,), }";
    const padded = `${header + " ".repeat(64 - ((10 + header.length + 1) % 64))}\n`;
    const bytes = Buffer.concat([
      Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, padded.length, 0]),
      Buffer.from(padded, "latin1"),
      Buffer.from(new Int32Array([7, -2, 40]).buffer),
    ]);
    writeFileSync(join(dir, "i.npy"), bytes);
    expect(Array.from((await readNpyValues(join(dir, "i.npy"))).data)).toEqual([7, -2, 40]);
    // Fortran order (np.save of a DataFrame's to_numpy() writes it): stored column by column,
    // read back in C order, 4 x 3 and 1-D alike
    const npyBytes = (header: string, values: Float64Array) => {
      const padded = `${header + " ".repeat(64 - ((10 + header.length + 1) % 64))}\n`;
      return Buffer.concat([
        Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, padded.length, 0]),
        Buffer.from(padded, "latin1"),
        Buffer.from(values.buffer),
      ]);
    };
    const byColumn = Float64Array.of(0, 3, 6, 9, 1, 4, 7, 10, 2, 5, 8, 11); // the C-order matrix 0..11, 4 x 3, column by column
    writeFileSync(join(dir, "fortran.npy"), npyBytes("{'descr': '<f8', 'fortran_order': True, 'shape': (4, 3), }", byColumn));
    const fortran = await readNpyValues(join(dir, "fortran.npy"));
    expect(fortran.shape).toEqual([4, 3]);
    expect(Array.from(fortran.data)).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect(await values(await readNpy(join(dir, "fortran.npy"), { chunkRows: 3 }))).toEqual(Array.from({ length: 12 }, (_, i) => i));
    writeFileSync(
      join(dir, "fortran1d.npy"),
      npyBytes("{'descr': '<f8', 'fortran_order': True, 'shape': (3,), }", Float64Array.of(5, 6, 7)),
    );
    expect(Array.from((await readNpyValues(join(dir, "fortran1d.npy"))).data)).toEqual([5, 6, 7]);
    // a float32 file loads as a float32 array, as NumPy loads it (or as float64 on request)
    const f4Header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }";
    const f4Padded = `${f4Header + " ".repeat(64 - ((10 + f4Header.length + 1) % 64))}\n`;
    const f4 = Float32Array.of(0.1, -2.5, 3e38, 1e-40);
    writeFileSync(
      join(dir, "f.npy"),
      Buffer.concat([
        Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, f4Padded.length, 0]),
        Buffer.from(f4Padded, "latin1"),
        Buffer.from(f4.buffer),
      ]),
    );
    const x32 = await readNpy(join(dir, "f.npy"), { chunkRows: 1 });
    expect(x32.dtype).toBe("float32");
    const got = await x32.compute({ runtime: rt });
    expect(got).toBeInstanceOf(Float32Array);
    expect(Array.from(got as Float32Array)).toEqual(Array.from(f4));
    expect((await readNpy(join(dir, "f.npy"), { dtype: "float64" })).dtype).toBe("float64");
    await expect(readNpy(join(dir, "f.npy"), { dtype: "int8" as never })).rejects.toThrow(/dtype/);
  });

  it("names what is wrong with a malformed file", async () => {
    writeFileSync(join(dir, "bad.npy"), Buffer.from("not numpy at all"));
    await expect(readNpyValues(join(dir, "bad.npy"))).rejects.toThrow(/starts with \\x93NUMPY/);
    const good = readFileSync(join(dir, "a.npy"));
    writeFileSync(join(dir, "short.npy"), good.subarray(0, 40));
    await expect(readNpyValues(join(dir, "short.npy"))).rejects.toThrow(/truncated/);
    writeFileSync(join(dir, "cut.npy"), good.subarray(0, good.length - 8));
    await expect(readNpyValues(join(dir, "cut.npy"))).rejects.toThrow(/truncated file: data ends at value 11/);
    await expect(readNpyValues(join(dir, "missing.npy"))).rejects.toThrow(/missing\.npy/);
  });
});

describe("CSV", () => {
  it("round-trips, selects features and a target, and reads over HTTP", async () => {
    const path = join(dir, "t.csv");
    await writeCsv(path, { a: [1, 2, 3], b: [0.5, -1, 2], label: [0, 1, 1] });
    const t = await readCsv(path, { target: "label", chunkRows: 2 });
    expect(t.features).toEqual(["a", "b"]);
    expect(await values(t.X)).toEqual([1, 0.5, 2, -1, 3, 2]);
    expect(await values(t.y!)).toEqual([0, 1, 1]);
    const picked = await readCsv(`${base}/t.csv`, { features: ["b"], target: "a" });
    expect(await values(picked.X)).toEqual([0.5, -1, 2]);
    expect(await values(picked.y!)).toEqual([1, 2, 3]);
    // float32 features on request (the target stays float64)
    const t32 = await readCsv(path, { target: "label", dtype: "float32" });
    expect(t32.X.dtype).toBe("float32");
    expect(t32.y!.dtype).toBe("float64");
    expect(await t32.X.compute({ runtime: rt })).toBeInstanceOf(Float32Array);
    expect(await values(t32.X)).toEqual([1, 0.5, 2, -1, 3, 2]);
    await expect(readCsv(path, { dtype: "float16" as never })).rejects.toThrow(/dtype/);
  });

  it("applies the missing-value policy", async () => {
    writeFileSync(join(dir, "m.csv"), "x,y\n1,0\nNA,1\n3,\n4,1\n");
    await expect(readCsv(join(dir, "m.csv"), { target: "y" })).rejects.toThrow(/missing value on line 3, column x/);
    const dropped = await readCsv(join(dir, "m.csv"), { target: "y", missing: "drop" });
    expect(dropped.rows).toBe(2);
    const filled = await readCsv(join(dir, "m.csv"), { target: "y", missing: 0 });
    expect(await values(filled.X)).toEqual([1, 0, 3, 4]);
  });

  it("names the line and column of a bad cell, a ragged row, a missing target, an empty file", async () => {
    writeFileSync(join(dir, "text.csv"), "x,y\n1,0\nabc,1\n");
    await expect(readCsv(join(dir, "text.csv"), { target: "y" })).rejects.toThrow(/'abc' on line 3, column x/);
    writeFileSync(join(dir, "ragged.csv"), "x,y\n1,0\n2\n");
    await expect(readCsv(join(dir, "ragged.csv"), { target: "y" })).rejects.toThrow(/1 fields on line 3/);
    await expect(readCsv(join(dir, "t.csv"), { target: "nope" })).rejects.toThrow(/a column of the file \(a, b, label\)/);
    writeFileSync(join(dir, "empty.csv"), "");
    await expect(readCsv(join(dir, "empty.csv"))).rejects.toThrow(/empty file/);
  });
});

describe("Parquet", () => {
  it("reads numeric columns (written by hyparquet-writer)", async () => {
    const buffer = parquetWriteBuffer({
      columnData: [
        { name: "u", data: [1.5, 2.5, -1], type: "DOUBLE" },
        { name: "v", data: [3, 4, 5], type: "INT32" },
        { name: "label", data: [1, 0, 1], type: "INT32" },
      ],
    });
    writeFileSync(join(dir, "p.parquet"), Buffer.from(buffer));
    const t = await readParquet(join(dir, "p.parquet"), { target: "label" });
    expect(t.features).toEqual(["u", "v"]);
    expect(await values(t.X)).toEqual([1.5, 3, 2.5, 4, -1, 5]);
    expect(await values(t.y!)).toEqual([1, 0, 1]);
    const remote = await readTable(`${base}/p.parquet`, { target: "label", features: ["v"] });
    expect(await values(remote.X)).toEqual([3, 4, 5]);
    expect((await readParquet(join(dir, "p.parquet"), { target: "label", dtype: "float32" })).X.dtype).toBe("float32");
    expect((await readTable(join(dir, "p.parquet"), { target: "label", dtype: "float32" })).X.dtype).toBe("float32");
    await expect(readParquet(join(dir, "t.csv"))).rejects.toThrow(/Parquet/);
  });
});

describe("storage", () => {
  it("reads byte ranges of local files and URLs, and rejects unknown schemes", async () => {
    const local = openSource(join(dir, "t.csv"));
    const remote = openSource(`${base}/t.csv`);
    expect(await remote.size()).toBe(await local.size());
    expect(Buffer.from(await remote.read(2, 5)).toString()).toBe(Buffer.from(await local.read(2, 5)).toString());
    expect(() => openSource("ftp://example.com/x.csv")).toThrow(/registerStorage/);
    await expect(openSource(`${base}/absent.csv`).size()).rejects.toThrow(/HTTP 404/);
  });

  it("fails a byte range of a directory with a StorageError naming it (the read, not only the open, fails there)", async () => {
    const read = openSource(dir).read(0, 10);
    await expect(read).rejects.toBeInstanceOf(StorageError);
    await expect(read).rejects.toThrow(`cannot read ${dir}`);
  });
});

describe("weft fit and weft predict (child process)", () => {
  const cli = fileURLToPath(new URL("../dist/src/cli/index.js", import.meta.url));
  const run = (...args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [cli, ...args], { timeout: 60_000 }, (error, stdout, stderr) =>
        resolve({ code: error ? (error.code as number) : 0, stdout, stderr }),
      );
    });

  it("fits a CSV, saves the model, predicts, and agrees with the library", async () => {
    const rows = Array.from({ length: 200 }, (_, i) => {
      const a = Math.sin(i),
        b = Math.cos(i * 0.7);
      return [a, b, +(a - 0.5 * b + 0.3 * Math.sin(i * 3.1) > 0)];
    });
    const path = join(dir, "train.csv");
    writeFileSync(path, `a,b,label\n${rows.map((r) => r.join(",")).join("\n")}\n`);
    const model = join(dir, "model.json");
    const fit = await run("fit", path, "--target", "label", "--lambda", "0.5", "--standardize", "--out", model, "--json", "--threads", "2");
    expect(fit.code).toBe(0);
    const result = JSON.parse(fit.stdout);
    expect(Object.keys(result)).toEqual([
      "coef",
      "intercept",
      "objective",
      "nIter",
      "converged",
      "optimality",
      "tol",
      "warnings",
      "seconds",
      "features",
    ]);
    expect(result.optimality).toBeLessThanOrEqual(result.tol);
    expect(result.warnings).toEqual([]);
    expect(result.features).toEqual(["a", "b"]);
    // the library, on the standardized features, gives the same coefficients
    const X = rows.map((r) => [r[0]!, r[1]!]);
    const mean = [0, 1].map((j) => X.reduce((s, r) => s + r[j]!, 0) / X.length);
    const sd = [0, 1].map((j) => Math.sqrt(X.reduce((s, r) => s + (r[j]! - mean[j]!) ** 2, 0) / X.length));
    const lib = await new glm.LogisticRegression({ lambda: 0.5, runtime: rt }).fit(
      X.map((r) => r.map((v, j) => (v - mean[j]!) / sd[j]!)),
      rows.map((r) => r[2]!),
    );
    result.coef.forEach((c: number, j: number) => expect(c).toBeCloseTo(lib.coef![j]!, 6));
    const predictions = join(dir, "preds.csv");
    const pred = await run("predict", model, path, "--out", predictions, "--quiet"); // --quiet as on fit
    expect(pred.code).toBe(0);
    const lines = readFileSync(predictions, "utf8").trim().split("\n");
    expect(lines[0]).toBe("prediction,probability");
    expect(lines).toHaveLength(201);
    const accuracy = lines.slice(1).filter((l, i) => Number(l.split(",")[0]) === rows[i]![2]).length / 200;
    expect(accuracy).toBeGreaterThan(0.8);
  }, 120_000);

  it("raw data at defaults: the optimum, its optimality residual in the JSON; honest warnings in the CLI's own option names", async () => {
    const fixtures = fileURLToPath(new URL("./fixtures/glm-conformance/", import.meta.url));
    const optima = JSON.parse(readFileSync(join(fixtures, "optima.json"), "utf8")).problems as { name: string; objective: number }[];
    const fit = await run("fit", join(fixtures, "breast_cancer.csv"), "--target", "target", "--intercept", "--json", "--threads", "2");
    expect(fit.code).toBe(0);
    const result = JSON.parse(fit.stdout);
    const optimum = optima.find((p) => p.name === "breast_cancer-l2-lam1")!.objective;
    expect(result.converged).toBe(true);
    expect(Math.abs(result.objective - optimum) / optimum).toBeLessThan(1e-6);
    expect(result.optimality).toBeLessThanOrEqual(1e-6);
    // proximal gradient without FISTA, and a cap it cannot meet: the warning names the measure and what to try
    const short = await run(
      "fit",
      join(fixtures, "wine0.csv"),
      "--target",
      "target",
      "--regularizer",
      "l1",
      "--no-fista",
      "--max-iter",
      "3",
      "--quiet",
      "--threads",
      "2",
    );
    expect(short.code).toBe(0);
    expect(short.stdout).toMatch(/NOT converged in 3 iterations \(optimality [0-9.e+-]+, tol 1e-6\)/);
    expect(short.stderr).toMatch(
      /warning: the fit did not converge in 3 iterations \(proximal_grad\): its optimality residual is [0-9.e+-]+, above --tol 1e-6\. Try --max-iter 100, or --standardize/,
    );
    // separable classes without a penalty
    const separable = await run(
      "fit",
      join(fixtures, "wine0.csv"),
      "--target",
      "target",
      "--regularizer",
      "none",
      "--json",
      "--threads",
      "2",
    );
    const sep = JSON.parse(separable.stdout);
    expect(sep.converged).toBe(false);
    expect(sep.warnings.join(" ")).toMatch(/separable|numerically 0 or 1/);
    expect(sep.warnings.join(" ")).toMatch(/--regularizer l2 --lambda 1/);
  });

  it("fails with one line and the right exit code, leaving no partial output", async () => {
    const before = readdirSync(dir).length;
    const usage = await run("fit", join(dir, "t.csv"), "--target", "label", "--family", "gamma");
    expect(usage.code).toBe(2);
    const missing = await run("fit", join(dir, "t.csv"), "--target", "nope", "--out", join(dir, "never.json"));
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim().split("\n")).toHaveLength(1);
    expect(missing.stderr).toMatch(/^weft: .*target.*a, b, label/);
    const bad = await run("fit", join(dir, "text.csv"), "--target", "y", "--out", join(dir, "never.json"));
    expect(bad.code).toBe(2);
    expect(bad.stderr).not.toMatch(/\n\s+at /); // no stack trace
    const l1 = await run("fit", join(dir, "t.csv"), "--target", "label", "--solver", "lbfgs", "--regularizer", "l1");
    expect(l1.code).toBe(2);
    expect(l1.stderr).toMatch(/proximal_grad or admm/);
    expect(readdirSync(dir).length).toBe(before);
  }, 120_000);
});

/**
 * `weft predict` lined up with its input (--id, row numbers when rows are dropped), --no-header
 * and --json; the readers' `id` option and `rowNumbers` behind them; `weft` alone; warnings
 * printed without Node's trace footer.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as arrow from "apache-arrow";
import { parquetWriteBuffer } from "hyparquet-writer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../src/cli/main.js";
import { LogisticRegression, readTable, writeNpy } from "../src/index.js";

const dir = mkdtempSync(join(tmpdir(), "weft-predict-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

/** 60 rows of two features and a 0/1 label, each with a customer id (one holding a comma and a quote). */
const N = 60;
const a = (i: number) => Math.sin(i);
const b = (i: number) => Math.cos(0.7 * i);
const label = (i: number) => +(a(i) - 0.5 * b(i) + 0.3 * Math.sin(3.1 * i) > 0);
const customer = (i: number) => (i === 7 ? 'c"7, inc' : `c${i}`);
/** Rows whose `b` cell is empty in the file to predict on. */
const holes = new Set([3, 4, 20, 59]);
const quote = (s: string) => (/[",]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

const model = join(dir, "model.json");
const withHoles = join(dir, "score.csv");

beforeAll(async () => {
  const rows = Array.from({ length: N }, (_, i) => `${quote(customer(i))},${a(i)},${b(i)},${label(i)}`);
  writeFileSync(join(dir, "train.csv"), `customer,a,b,label\n${rows.join("\n")}\n`);
  const fit = await run(
    "fit",
    join(dir, "train.csv"),
    "--target",
    "label",
    "--features",
    "a,b",
    "--out",
    model,
    "--quiet",
    "--threads",
    "1",
  );
  expect(fit.code).toBe(0);
  const scored = Array.from({ length: N }, (_, i) => `${quote(customer(i))},${a(i)},${holes.has(i) ? "" : b(i)}`);
  writeFileSync(withHoles, `customer,a,b\n${scored.join("\n")}\n`);
});

/** The predictions for the rows without holes, from a file that has only those rows. */
async function cleanPredictions(): Promise<string[][]> {
  const kept = Array.from({ length: N }, (_, i) => i).filter((i) => !holes.has(i));
  const path = join(dir, "clean.csv");
  writeFileSync(path, `a,b\n${kept.map((i) => `${a(i)},${b(i)}`).join("\n")}\n`);
  const r = await run("predict", model, path, "--quiet", "--threads", "1");
  expect(r.code).toBe(0);
  return r.out
    .split("\n")
    .slice(1)
    .map((l) => l.split(","));
}

describe("weft predict keeps its output lined up with the input", () => {
  it("--missing drop without --id writes each kept row's 0-based data row number first", async () => {
    const r = await run("predict", model, withHoles, "--missing", "drop", "--quiet", "--threads", "1");
    expect(r.code).toBe(0);
    const lines = r.out.split("\n");
    expect(lines[0]).toBe("row,prediction,probability");
    const kept = Array.from({ length: N }, (_, i) => i).filter((i) => !holes.has(i));
    expect(lines.slice(1).map((l) => Number(l.split(",")[0]))).toEqual(kept);
    // and the predictions are those of the same rows predicted alone
    expect(lines.slice(1).map((l) => l.split(",").slice(1))).toEqual(await cleanPredictions());
  });

  it("--id passes the column through as text, quoted where CSV needs it, and with --missing drop only for kept rows", async () => {
    const r = await run("predict", model, withHoles, "--missing", "drop", "--id", "customer", "--quiet", "--threads", "1");
    expect(r.code).toBe(0);
    const lines = r.out.split("\n");
    expect(lines[0]).toBe("customer,prediction,probability");
    const kept = Array.from({ length: N }, (_, i) => i).filter((i) => !holes.has(i));
    expect(lines.slice(1).map((l) => (l.startsWith('"') ? l.slice(0, l.lastIndexOf('"') + 1) : l.split(",")[0]))).toEqual(
      kept.map((i) => quote(customer(i))),
    );
    // without dropping: every row, ids in order, and no row column
    const all = await run("predict", model, withHoles, "--missing", "0", "--id", "customer", "--quiet", "--threads", "1");
    expect(all.code).toBe(0);
    expect(all.out.split("\n")).toHaveLength(N + 1);
    expect(all.out.split("\n")[8]!.startsWith('"c""7, inc",')).toBe(true);
  });

  it("--json prints the columns (with the ids), and with --out says where the CSV went", async () => {
    const r = await run("predict", model, withHoles, "--missing", "drop", "--id", "customer", "--json", "--threads", "1");
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out);
    expect(json.rows).toBe(N - holes.size);
    expect(Object.keys(json.columns)).toEqual(["customer", "prediction", "probability"]);
    expect(json.columns.customer[5]).toBe('c"7, inc'); // rows 3 and 4 were dropped
    expect(json.columns.prediction.every((p: number) => p === 0 || p === 1)).toBe(true);
    const out = join(dir, "p.csv");
    const written = await run("predict", model, withHoles, "--missing", "drop", "--json", "--out", out, "--threads", "1");
    expect(written.code).toBe(0);
    expect(JSON.parse(written.out)).toEqual({ rows: N - holes.size, out });
    expect(readFileSync(out, "utf8").split("\n")[0]).toBe("row,prediction,probability");
  });

  it("--no-header reads a file without a header row, as fit --no-header does", async () => {
    const train = join(dir, "noheader.csv");
    writeFileSync(train, `${Array.from({ length: N }, (_, i) => `${a(i)},${b(i)},${label(i)}`).join("\n")}\n`);
    const m = join(dir, "noheader.json");
    expect((await run("fit", train, "--target", "2", "--no-header", "--out", m, "--quiet", "--threads", "1")).code).toBe(0);
    const r = await run("predict", m, train, "--no-header", "--quiet", "--threads", "1");
    expect(r.code).toBe(0);
    expect(r.out.split("\n")).toHaveLength(N + 1);
    // with the header expected, the first row would be taken for names: the model's columns 0, 1 are not there
    const wrong = await run("predict", m, train, "--quiet", "--threads", "1");
    expect(wrong.code).toBe(2);
  });

  it("refuses an --id column the file lacks, or named like an output column, naming the option", async () => {
    const missing = await run("predict", model, withHoles, "--id", "nope", "--missing", "drop", "--quiet");
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/id/);
    const clash = await run("predict", model, withHoles, "--id", "prediction", "--quiet");
    expect(clash.code).toBe(2);
    expect(clash.err).toMatch(/--id/);
  });
});

describe("weft predict with a model of string classes", () => {
  it("writes the labels, quoted where CSV needs it, and the probability of the second class", async () => {
    const X = Array.from({ length: N }, (_, i) => [a(i), b(i)]);
    const labels = Array.from({ length: N }, (_, i) => (label(i) === 1 ? "yes, buys" : "no"));
    const model = await new LogisticRegression<string>({ lambda: 1 }).fit(X, labels);
    const path = join(dir, "strings.json");
    writeFileSync(path, JSON.stringify({ ...model.toJSON(), features: ["a", "b"], target: "label", standardize: null }));
    const r = await run("predict", path, join(dir, "train.csv"), "--quiet", "--threads", "1");
    expect(r.code).toBe(0);
    const lines = r.out.split("\n");
    expect(lines[0]).toBe("prediction,probability");
    const expected = await model.predict(X);
    const proba = await model.predictProba(X);
    lines.slice(1).forEach((line, i) => {
      expect(line).toBe(`${expected[i] === "no" ? "no" : '"yes, buys"'},${proba[i]}`);
    });
    const json = JSON.parse((await run("predict", path, join(dir, "train.csv"), "--json", "--threads", "1")).out);
    expect(json.columns.prediction).toEqual(expected);
  });
});

describe("the readers' id option and rowNumbers", () => {
  it("CSV: ids as text; rowNumbers only with missing: 'drop'", async () => {
    const t = await readTable(withHoles, { features: ["a", "b"], id: "customer", missing: "drop" });
    expect(t.ids).toEqual(
      Array.from({ length: N }, (_, i) => i)
        .filter((i) => !holes.has(i))
        .map(customer),
    );
    expect(Array.from(t.rowNumbers!)).toEqual(Array.from({ length: N }, (_, i) => i).filter((i) => !holes.has(i)));
    const filled = await readTable(withHoles, { features: ["a", "b"], missing: 0 });
    expect(filled.rowNumbers).toBeUndefined();
    expect(filled.ids).toBeUndefined();
  });

  it("Parquet, NPY and Arrow IPC give ids too (Arrow, whose nulls may be dropped, rowNumbers)", async () => {
    const parquet = join(dir, "ids.parquet");
    const buffer = parquetWriteBuffer({
      columnData: [
        { name: "key", data: ["x", "y", "z"], type: "STRING" },
        { name: "u", data: [1.5, 2.5, -1], type: "DOUBLE" },
      ],
    });
    writeFileSync(parquet, Buffer.from(buffer));
    const p = await readTable(parquet, { features: ["u"], id: "key" });
    expect(p.ids).toEqual(["x", "y", "z"]);
    const npy = join(dir, "ids.npy");
    await writeNpy(npy, new Float64Array([10, 0.5, 11, 0.25]), [2, 2]);
    expect((await readTable(npy, { features: ["1"], id: "0" })).ids).toEqual(["10", "11"]);
    const ipc = join(dir, "ids.arrow");
    const table = new arrow.Table({
      key: arrow.vectorFromArray(["p", "q", "r", "s"], new arrow.Utf8()),
      v: arrow.vectorFromArray([1, null, 3, 4], new arrow.Float64()),
    });
    writeFileSync(ipc, arrow.tableToIPC(table, "file"));
    const t = await readTable(ipc, { features: ["v"], id: "key", missing: "drop" });
    expect(t.ids).toEqual(["p", "r", "s"]);
    expect(Array.from(t.rowNumbers!)).toEqual([0, 2, 3]);
    await expect(readTable(parquet, { features: ["u"], id: "nope" })).rejects.toThrow(/id/);
  });
});

describe("the weft binary", () => {
  const cli = fileURLToPath(new URL("../dist/src/cli/index.js", import.meta.url));
  const spawn = (...args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [cli, ...args], { timeout: 60_000 }, (error, stdout, stderr) =>
        resolve({ code: error ? (error.code as number) : 0, stdout, stderr }),
      );
    });

  it("with no arguments prints its help and exits 2", async () => {
    const r = await spawn();
    expect(r.code).toBe(2);
    expect(r.stdout + r.stderr).toMatch(/Usage: weft/);
    expect(r.stdout + r.stderr).toMatch(/predict/);
  });

  it("prints a warning as one line, without Node's --trace-warnings footer", async () => {
    // a script of the user's whose fit stops short: the library warns through process.emitWarning
    const script = join(dir, "short-fit.mjs");
    const weft = new URL("../dist/src/index.js", import.meta.url).href;
    writeFileSync(
      script,
      `import { glm } from ${JSON.stringify(weft)};
const X = Array.from({ length: 50 }, (_, i) => [Math.sin(i), Math.cos(i)]);
const y = X.map(([a]) => +(a > 0.1));
await new glm.LogisticRegression({ maxIter: 1, lambda: 0.1 }).fit(X, y);
`,
    );
    const r = await spawn("profile", "--script", script, "--out", join(dir, "short.html"));
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^warning: .*did not converge/m);
    expect(r.stderr).not.toMatch(/trace-warnings/);
    // weft fit words it with its own options
    const fit = await spawn("fit", join(dir, "train.csv"), "--target", "label", "--features", "a,b", "--max-iter", "1", "--quiet");
    expect(fit.code).toBe(0);
    expect(fit.stderr).toMatch(/--max-iter/);
    expect(fit.stderr).not.toMatch(/maxIter|trace-warnings/);
  }, 120_000);
});

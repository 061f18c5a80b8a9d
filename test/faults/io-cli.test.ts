/**
 * Faults of the readers and the command line, each reproduced first (the issue "Faults and bad
 * input: no crash, no hang, no data loss, no leak"): a stream error becomes a typed error naming
 * the source instead of an unhandled 'error' event; a server that never answers, or stalls mid
 * body, fails the read after its timeout instead of leaving it pending forever; a range read
 * that fails once is retried; the CLI never writes over its inputs, nor over an existing file
 * without --force.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { StorageError, readCsv, readNpyValues, writeNpy } from "../../src/io/index.js";

const dir = mkdtempSync(join(tmpdir(), "weft-faults-"));
let server: Server;
let base = "";
let failuresLeft = 0;
const npyBytes = () => readFileSync(join(dir, "v.npy"));

beforeAll(async () => {
  await writeNpy(
    join(dir, "v.npy"),
    Float64Array.from({ length: 1000 }, (_, i) => i),
    [1000],
  );
  server = createServer((req, res) => {
    if (req.url === "/silent.csv") return; // never answers
    if (req.url === "/stall.csv") {
      res.writeHead(200, { "content-type": "text/csv" });
      res.write("a,b\n1,2\n"); // then nothing, the connection open
      return;
    }
    if (req.url === "/cut.csv") {
      res.writeHead(200, { "content-type": "text/csv", "content-length": "1000" });
      res.write("a,b\n1,2\n3,");
      setTimeout(() => res.socket?.destroy(), 20); // the body cut mid-way
      return;
    }
    if (req.url === "/flaky.npy") {
      if (failuresLeft > 0) {
        failuresLeft -= 1;
        res.writeHead(503).end();
        return;
      }
      const body = npyBytes();
      const range = /bytes=(\d+)-(\d+)/.exec(req.headers.range ?? "");
      if (req.method === "HEAD") return res.writeHead(200, { "content-length": String(body.length) }).end();
      if (range) {
        const part = body.subarray(Number(range[1]), Number(range[2]) + 1);
        return res.writeHead(206, { "content-length": String(part.length) }).end(part);
      }
      return res.writeHead(200).end(body);
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

describe("readers: stream errors, timeouts, retries", () => {
  it("a directory given as a CSV is a StorageError naming it, not a crash", async () => {
    const folder = join(dir, "folder.csv");
    mkdirSync(folder);
    await expect(readCsv(folder)).rejects.toThrow(StorageError);
    await expect(readCsv(folder)).rejects.toThrow(/folder\.csv: not a file \(a directory\)/);
  });

  it("a body cut mid-way is a StorageError naming the URL", async () => {
    const error = await readCsv(`${base}/cut.csv`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(String((error as Error).message)).toContain("/cut.csv");
  });

  it("a server that never answers fails after connectTimeoutMs", async () => {
    const t0 = Date.now();
    await expect(readCsv(`${base}/silent.csv`, { storage: { connectTimeoutMs: 300, retries: 0 } })).rejects.toThrow(
      /no response in 300 ms \(connectTimeoutMs\)/,
    );
    expect(Date.now() - t0).toBeLessThan(20_000);
  });

  it("a body that stalls fails after idleTimeoutMs", async () => {
    await expect(readCsv(`${base}/stall.csv`, { storage: { idleTimeoutMs: 300 } })).rejects.toThrow(/no data for 300 ms \(idleTimeoutMs\)/);
  });

  it("range reads that fail with 503 are retried, then succeed; without retries they fail with the status", async () => {
    failuresLeft = 2;
    const { data } = await readNpyValues(`${base}/flaky.npy`, undefined, { retries: 3 });
    expect(data[999]).toBe(999);
    failuresLeft = 1;
    await expect(readNpyValues(`${base}/flaky.npy`, undefined, { retries: 0 })).rejects.toThrow(/HTTP 503/);
  });

  it("storage options are checked", async () => {
    await expect(readCsv(`${base}/x.csv`, { storage: { connectTimeoutMs: -1 } })).rejects.toThrow(
      /'connectTimeoutMs' must be a number of milliseconds > 0/,
    );
  });
});

async function run(...argv: string[]) {
  const out: string[] = [],
    err: string[] = [];
  const code = await main(argv, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("the CLI never loses a file", () => {
  const data = join(dir, "data.csv");
  const csv = `a,b,label\n${Array.from({ length: 60 }, (_, i) => `${Math.sin(i)},${Math.cos(i)},${i % 3 === 0 ? 1 : 0}`).join("\n")}\n`;

  it("fit --out the input file is refused and the input kept", async () => {
    writeFileSync(data, csv);
    const r = await run("fit", data, "--target", "label", "--out", data, "--quiet", "--threads", "1");
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/'--out' must be a file other than the inputs/);
    expect(readFileSync(data, "utf8")).toBe(csv);
  });

  it("fit --out an existing file needs --force; predict never writes over the model or the data", async () => {
    writeFileSync(data, csv);
    const model = join(dir, "model.json");
    writeFileSync(model, "keep me");
    const refused = await run("fit", data, "--target", "label", "--out", model, "--quiet", "--threads", "1");
    expect(refused.code).not.toBe(0);
    expect(refused.err).toMatch(/does not exist yet \(or --force to replace it\)/);
    expect(readFileSync(model, "utf8")).toBe("keep me");
    const forced = await run("fit", data, "--target", "label", "--out", model, "--force", "--quiet", "--threads", "1");
    expect(forced.code).toBe(0);
    expect(JSON.parse(readFileSync(model, "utf8")).kind).toBe("LogisticRegression");
    const saved = readFileSync(model, "utf8");
    for (const target of [model, data]) {
      const r = await run("predict", model, data, "--out", target, "--force", "--quiet", "--threads", "1");
      expect(r.code).not.toBe(0);
      expect(r.err).toMatch(/other than the inputs/);
    }
    expect(readFileSync(model, "utf8")).toBe(saved);
    expect(readFileSync(data, "utf8")).toBe(csv);
  });
});

/**
 * Bad inputs of the readers that test/faults/bad-inputs.test.ts cannot hold in its tables: an NPY
 * header whose shape promises far more values than the file has. readNpyValues used to allocate
 * the Float64Array the header asks for before reading a value (24 GB for a shape of (1e9, 3) on a
 * file of 200 bytes: an out-of-memory kill where memory is not overcommitted), and a shape past
 * what a typed array holds was a raw RangeError. The data length the header implies is now checked
 * against the source's size first: an NpyError naming the file, before any allocation or data read.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NpyError, openSource, readNpy, readTable, type Source } from "../../src/index.js";
import { readNpyValues } from "../../src/io/index.js";

const dir = mkdtempSync(join(tmpdir(), "weft-bad-inputs-io-"));
let server: Server;
let base = "";
const heads: string[] = [];

/** NPY bytes: version 1, a float64 header of `shape` padded as NumPy pads it, then `data`. */
function npyFile(shape: string, data: Uint8Array): Buffer {
  const header = `{'descr': '<f8', 'fortran_order': False, 'shape': ${shape}, }`;
  const padded = `${header + " ".repeat((64 - ((10 + header.length + 1) % 64)) % 64)}\n`;
  const prefix = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 0, 0]);
  prefix.writeUInt16LE(padded.length, 8);
  return Buffer.concat([prefix, Buffer.from(padded, "latin1"), data]);
}

// 16 values (128 bytes of data, about 200 bytes in all) under headers that promise more
const sixteen = new Uint8Array(Float64Array.from({ length: 16 }, (_, i) => i).buffer);
const file = (name: string, shape: string) => {
  const path = join(dir, name);
  writeFileSync(path, npyFile(shape, sixteen));
  return path;
};
const billion = file("billion.npy", "(1000000000, 3)"); // 24 GB as float64: fits a typed array's length
const beyondTypedArrays = file("beyond.npy", "(10000000, 100000000)"); // 1e15 values: under 2^53, over any typed array
const justShort = file("short.npy", "(17,)"); // one value short

/** A Source over `path` that records the ranges read. */
function counting(path: string): { source: Source; reads: [number, number][] } {
  const inner = openSource(path);
  const reads: [number, number][] = [];
  return {
    reads,
    source: {
      url: inner.url,
      size: () => inner.size(),
      stream: () => inner.stream(),
      read: (offset, length) => {
        reads.push([offset, length]);
        return inner.read(offset, length);
      },
    },
  };
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const body = readFileSync(join(dir, req.url!.slice(1)));
    if (req.method === "HEAD") {
      // a URL signed for GET only (a presigned S3 URL) refuses HEAD
      heads.push(req.url!);
      res.writeHead(403).end();
      return;
    }
    const range = /bytes=(\d+)-(\d+)/.exec(req.headers.range ?? "");
    if (!range) return res.writeHead(200, { "content-length": String(body.length) }).end(body);
    const [from, to] = [Number(range[1]), Math.min(Number(range[2]), body.length - 1)];
    res
      .writeHead(206, { "content-range": `bytes ${from}-${to}/${body.length}`, "content-length": String(to - from + 1) })
      .end(body.subarray(from, to + 1));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

/** The error `promise` rejects with (the test fails if it resolves). */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(outcome instanceof Error)) throw new Error(`expected a rejection, got ${String(outcome)}`);
  return outcome;
}

describe("an NPY header that promises more values than the file holds", () => {
  it("(1e9, 3) on a 200-byte file: an NpyError naming the file, before any allocation or data read", async () => {
    const { source, reads } = counting(billion);
    const before = process.memoryUsage().arrayBuffers;
    const error = await rejection(readNpyValues(source));
    expect(error).toBeInstanceOf(NpyError);
    expect((error as NpyError).argument).toBe("file");
    expect(error.message).toContain("billion.npy");
    expect(error.message).toMatch(/3000000000 values of f8 .*truncated file: data ends at value 16/);
    // only the header was read: its 10 bytes of prefix, then the dict (the data start at 128)
    expect(reads.every(([offset]) => offset < 128)).toBe(true);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 << 20);
  });

  it("a shape of 1e15 values (past any typed array) is the same NpyError, not a raw RangeError", async () => {
    const error = await rejection(readNpy(beyondTypedArrays));
    expect(error).toBeInstanceOf(NpyError);
    expect((error as NpyError).argument).toBe("file");
    expect(error.message).toContain("beyond.npy");
  });

  it("readTable refuses it alike", async () => {
    const error = await rejection(readTable(billion, { target: "0" }));
    expect(error).toBeInstanceOf(NpyError);
    expect(error.message).toContain("billion.npy");
  });

  it("one value short still says where the data end", async () => {
    await expect(readNpyValues(justShort)).rejects.toThrow(
      /17 values of f8 \(shape \(17\)\); received "a truncated file: data ends at value 16"/,
    );
  });

  it("over HTTP, the size comes from the first range read's Content-Range: no HEAD, which a GET-only URL refuses", async () => {
    const error = await rejection(readNpyValues(`${base}/billion.npy`, undefined, { retries: 0 }));
    expect(error).toBeInstanceOf(NpyError);
    expect(error.message).toContain("/billion.npy");
    // and a whole file reads as before
    writeFileSync(join(dir, "good.npy"), npyFile("(4, 4)", sixteen));
    const { data, shape } = await readNpyValues(`${base}/good.npy`, undefined, { retries: 0 });
    expect(shape).toEqual([4, 4]);
    expect(Array.from(data)).toEqual(Array.from({ length: 16 }, (_, i) => i));
    expect(heads).toEqual([]);
  });
});

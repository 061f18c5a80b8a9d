/**
 * Where data comes from, by URL (the role of fsspec's filesystems for Dask): local paths and
 * file:// URLs, http(s):// with range requests (S3, GCS and Azure blobs are HTTP range reads:
 * pass a presigned or signed URL), and any other scheme a program registers. Readers ask a
 * Source for byte ranges or a stream, never for the whole file as one string.
 *
 * Writers write local files atomically: into a temporary file renamed at the end, removed when
 * anything fails, so no partial output is ever left behind.
 */
import { createReadStream } from "node:fs";
import { open, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, basename, join } from "node:path";
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { ArgumentError, WeftError } from "../errors.js";

/** A readable object: its size, byte ranges, and a stream of its bytes. */
export interface Source {
  readonly url: string;
  size(): Promise<number>;
  /** `length` bytes from `offset` (fewer only at the end of the object). */
  read(offset: number, length: number): Promise<Uint8Array>;
  stream(): Promise<Readable>;
}

/** A storage failure: names the URL and what went wrong. */
export class StorageError extends WeftError {}

class FileSource implements Source {
  constructor(readonly url: string, private readonly path: string) {}

  async size(): Promise<number> {
    try {
      return (await stat(this.path)).size;
    } catch (cause) {
      throw new StorageError(`cannot read ${this.path}: ${(cause as Error).message}`, { cause });
    }
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    let handle;
    try {
      handle = await open(this.path, "r");
    } catch (cause) {
      throw new StorageError(`cannot read ${this.path}: ${(cause as Error).message}`, { cause });
    }
    try {
      const out = new Uint8Array(length);
      let got = 0;
      while (got < length) {
        const { bytesRead } = await handle.read(out, got, length - got, offset + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      return out.subarray(0, got);
    } finally {
      await handle.close();
    }
  }

  async stream(): Promise<Readable> {
    await this.size(); // a missing file fails here, with its name
    return createReadStream(this.path);
  }
}

class HttpSource implements Source {
  private knownSize: number | undefined;

  constructor(readonly url: string) {}

  private async fetch(init?: RequestInit): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(this.url, init);
    } catch (cause) {
      throw new StorageError(`cannot fetch ${this.url}: ${(cause as Error).message}`, { cause });
    }
    if (!response.ok) throw new StorageError(`cannot fetch ${this.url}: HTTP ${response.status} ${response.statusText}`);
    return response;
  }

  async size(): Promise<number> {
    if (this.knownSize !== undefined) return this.knownSize;
    const head = await this.fetch({ method: "HEAD" });
    const length = Number(head.headers.get("content-length"));
    if (!Number.isFinite(length)) throw new StorageError(`${this.url}: the server sends no Content-Length`);
    return (this.knownSize = length);
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    if (length === 0) return new Uint8Array(0);
    const response = await this.fetch({ headers: { Range: `bytes=${offset}-${offset + length - 1}` } });
    const body = new Uint8Array(await response.arrayBuffer());
    if (response.status === 206) return body;
    // a server without range support sends everything: take the part asked for
    return body.subarray(offset, offset + length);
  }

  async stream(): Promise<Readable> {
    const response = await this.fetch();
    if (!response.body) throw new StorageError(`${this.url}: empty response`);
    return Readable.fromWeb(response.body as never);
  }
}

const schemes = new Map<string, (url: URL) => Source>([
  ["http:", (u) => new HttpSource(u.href)],
  ["https:", (u) => new HttpSource(u.href)],
  ["file:", (u) => new FileSource(u.href, fileURLToPath(u))],
]);

/**
 * Teaches openSource a URL scheme, e.g. `registerStorage("s3:", (url) => myS3Source(url))`.
 * (Or skip it: S3 and GCS objects are readable as presigned https:// URLs as they are.)
 */
export function registerStorage(scheme: string, open: (url: URL) => Source): void {
  if (!/^[a-z][a-z0-9+.-]*:$/.test(scheme)) throw new ArgumentError("scheme", "a URL scheme with its colon, such as 's3:'", scheme, "registerStorage");
  schemes.set(scheme, open);
}

/** A Source for a local path, a file:// or http(s):// URL, or a registered scheme. */
export function openSource(location: string | URL): Source {
  if (location instanceof URL || /^[a-z][a-z0-9+.-]*:\/\//i.test(location)) {
    const url = location instanceof URL ? location : new URL(location);
    const make = schemes.get(url.protocol);
    if (!make) throw new ArgumentError("location", `a path or a URL of ${[...schemes.keys()].join(", ")} (or one registerStorage() added)`, url.href, "openSource");
    return make(url);
  }
  if (typeof location !== "string" || location.length === 0) throw new ArgumentError("location", "a path or a URL", location, "openSource");
  return new FileSource(location, location);
}

/** Writes `data` to the local `path` atomically (temporary file, then rename). */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  try {
    await writeFile(temporary, data);
    await rename(temporary, path);
  } catch (cause) {
    await rm(temporary, { force: true });
    throw new StorageError(`cannot write ${path}: ${(cause as Error).message}`, { cause });
  }
}

/**
 * Where data comes from, by URL (the role of fsspec's filesystems for Dask): local paths and
 * file:// URLs, http(s):// with range requests (S3, GCS and Azure blobs are HTTP range reads:
 * pass a presigned or signed URL), and any other scheme a program registers. Readers ask a
 * Source for byte ranges or a stream, never for the whole file as one string. Over HTTP, a URL
 * signed for GET only (HEAD answers 403) is sized by a one-byte ranged GET, and a server that
 * ignores Range sends the file once: later reads are served from that copy.
 *
 * Writers write local files atomically: into a temporary file renamed at the end, removed when
 * anything fails, so no partial output is ever left behind.
 *
 * Every failure is a StorageError naming the source, stream errors included (a reader never sees
 * a raw 'error' event). Network reads give up on a server that does not answer (a connect
 * timeout, to the response headers) or stops sending (an idle timeout, between two pieces of the
 * body), and retry idempotent reads (HEAD and range requests) with backoff.
 */
import { ArgumentError, WeftError, describe } from "../errors.js";
import { checkInteger, checkOptions, checkTimeout, MAX_TIMER_MS } from "../validate.js";
import { fileInfo, fileStream, pathOfFileUrl, readFileRange, replaceFile, urlOfPagePath } from "../platform/files.js";
import { byteStream, type Readable } from "../platform/streams.js";

/** A readable object: its size, byte ranges, and a stream of its bytes. */
export interface Source {
  readonly url: string;
  size(): Promise<number>;
  /** `length` bytes from `offset` (fewer only at the end of the object). */
  read(offset: number, length: number): Promise<Uint8Array>;
  stream(): Promise<Readable>;
}

/**
 * Where a reader reads from: a path or a URL, a Source, or bytes already in memory (a File or a
 * Blob, as a browser's file input gives them; an ArrayBuffer or a typed array).
 */
export type DataLocation = string | URL | Source | Blob | ArrayBuffer | ArrayBufferView;

/** A storage failure: names the URL and what went wrong. */
export class StorageError extends WeftError {
  constructor(message: string, options?: ErrorOptions & { retryable?: boolean }) {
    super(message, options);
    this.retryable = options?.retryable === true;
  }

  /** Whether trying again may succeed (a network error, a timeout, HTTP 429 or 5xx). */
  readonly retryable: boolean;
}

/** How network sources wait and retry. */
export interface StorageOptions {
  /** Most milliseconds to wait for a server's response headers (default 30,000). */
  connectTimeoutMs?: number;
  /** Most milliseconds without a byte of the body before a read fails (default 30,000). */
  idleTimeoutMs?: number;
  /** Retries of a failed idempotent read (HEAD, range request), 200 ms apart, doubling (default 3). */
  retries?: number;
}

const STORAGE_DEFAULTS: Required<StorageOptions> = { connectTimeoutMs: 30_000, idleTimeoutMs: 30_000, retries: 3 };

/**
 * The storage options with their defaults, checked whole: for a local file too, where none
 * applies (a bad value there would pass unseen, then fail the day the file moves to a URL).
 * Timeouts are timer delays, so at most MAX_TIMER_MS (setTimeout fires a longer one at once).
 */
export function storageOptions(options?: StorageOptions): Required<StorageOptions> {
  const given = checkOptions(options, "storage", Object.keys(STORAGE_DEFAULTS), "storage");
  checkTimeout(given.connectTimeoutMs, "connectTimeoutMs", "storage");
  checkTimeout(given.idleTimeoutMs, "idleTimeoutMs", "storage");
  checkInteger(given.retries, "retries", "storage", 0);
  const out = { ...STORAGE_DEFAULTS };
  for (const [name, value] of Object.entries(given) as [keyof StorageOptions, number | undefined][])
    if (value !== undefined) out[name] = value;
  return out;
}

/** Whether `value` has what readers call on a Source (a registered opener may return anything). */
function isSource(value: unknown): value is Source {
  const s = value as Source | null;
  return (
    typeof s === "object" && s !== null && typeof s.read === "function" && typeof s.size === "function" && typeof s.stream === "function"
  );
}

/**
 * What a reader reads: `location` itself when it is a Source, else the Source openSource() makes
 * of it; `storage` is checked either way. A non-null object without read() goes to openSource,
 * which refuses it naming 'location'.
 */
export function sourceOf(location: DataLocation, storage: StorageOptions | undefined): Source {
  if (typeof Blob === "function" && location instanceof Blob) {
    storageOptions(storage);
    return new BlobSource(location);
  }
  if (location instanceof ArrayBuffer || ArrayBuffer.isView(location)) {
    storageOptions(storage);
    return new BytesSource(location);
  }
  if (typeof location === "object" && location !== null && "read" in location) {
    storageOptions(storage);
    if (!isSource(location)) throw new ArgumentError("location", "a path, a URL or a Source (read(), size(), stream())", location, "read");
    return location;
  }
  return openSource(location as string | URL, storage);
}

/**
 * A stream whose 'error' events become StorageErrors naming `url` (a Readable's errors are not
 * forwarded by pipe(): unwrapped, one kills the process as an unhandled 'error' event).
 */
function guarded(stream: Readable, url: string): Readable {
  async function* chunks() {
    try {
      for await (const chunk of stream) yield chunk as Uint8Array;
    } catch (cause) {
      throw cause instanceof StorageError ? cause : new StorageError(`cannot read ${url}: ${(cause as Error).message}`, { cause });
    }
  }
  return byteStream(chunks());
}

/** Bytes in memory: an ArrayBuffer or a typed array's bytes (not copied). */
class BytesSource implements Source {
  readonly url: string;
  private readonly bytes: Uint8Array;

  constructor(data: ArrayBuffer | ArrayBufferView) {
    this.bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    this.url = `(${this.bytes.byteLength} bytes in memory)`;
  }

  async size(): Promise<number> {
    return this.bytes.byteLength;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    return this.bytes.subarray(offset, Math.min(this.bytes.byteLength, offset + length));
  }

  async stream(): Promise<Readable> {
    const bytes = this.bytes;
    async function* pieces() {
      for (let at = 0; at < bytes.byteLength; at += PIECE_BYTES) yield bytes.subarray(at, at + PIECE_BYTES);
    }
    return byteStream(pieces());
  }
}

/** A Blob or a File (a browser's file input): ranges by slice(), the stream piece by piece. */
class BlobSource implements Source {
  readonly url: string;

  constructor(private readonly blob: Blob) {
    const name = (blob as Blob & { name?: unknown }).name;
    this.url = typeof name === "string" && name !== "" ? name : `(a Blob of ${blob.size} bytes)`;
  }

  async size(): Promise<number> {
    return this.blob.size;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    try {
      return new Uint8Array(await this.blob.slice(offset, offset + length).arrayBuffer());
    } catch (cause) {
      throw new StorageError(`cannot read ${this.url}: ${(cause as Error).message}`, { cause });
    }
  }

  async stream(): Promise<Readable> {
    const blob = this.blob;
    const url = this.url;
    async function* pieces() {
      for (let at = 0; at < blob.size; at += PIECE_BYTES) {
        try {
          yield new Uint8Array(await blob.slice(at, at + PIECE_BYTES).arrayBuffer());
        } catch (cause) {
          throw new StorageError(`cannot read ${url}: ${(cause as Error).message}`, { cause });
        }
      }
    }
    return byteStream(pieces());
  }
}

/** Bytes a stream of an in-memory source yields at a time. */
const PIECE_BYTES = 1 << 20;

class FileSource implements Source {
  constructor(
    readonly url: string,
    private readonly path: string,
  ) {}

  async size(): Promise<number> {
    let info: Awaited<ReturnType<typeof fileInfo>>;
    try {
      info = await fileInfo(this.path);
    } catch (cause) {
      throw new StorageError(`cannot read ${this.path}: ${(cause as Error).message}`, { cause });
    }
    if (!info.isFile) throw new StorageError(`cannot read ${this.path}: not a file${info.isDirectory ? " (a directory)" : ""}`);
    return info.size;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    try {
      return await readFileRange(this.path, offset, length);
    } catch (cause) {
      throw new StorageError(`cannot read ${this.path}: ${(cause as Error).message}`, { cause });
    }
  }

  async stream(): Promise<Readable> {
    await this.size(); // a missing file or a directory fails here, with its name
    return guarded(fileStream(this.path), this.path);
  }
}

class HttpSource implements Source {
  private knownSize: number | undefined;
  /** The whole file, once a server that ignores Range has sent it: later reads are served from it. */
  private whole: Uint8Array | undefined;
  private readonly options: Required<StorageOptions>;

  constructor(
    readonly url: string,
    options?: StorageOptions,
  ) {
    this.options = storageOptions(options);
  }

  /**
   * The response to one request, its headers within the connect timeout. `controller` aborts
   * the request (the body's idle timeout uses it too).
   */
  private async request(init: RequestInit, controller: AbortController): Promise<Response> {
    const timer = setTimeout(
      () =>
        controller.abort(
          new StorageError(`${this.url}: no response in ${this.options.connectTimeoutMs} ms (connectTimeoutMs)`, { retryable: true }),
        ),
      this.options.connectTimeoutMs,
    );
    let response: Response;
    try {
      response = await fetch(this.url, { ...init, signal: controller.signal });
    } catch (cause) {
      if (controller.signal.reason instanceof StorageError) throw controller.signal.reason;
      throw new StorageError(`cannot fetch ${this.url}: ${(cause as Error).message}`, { cause, retryable: true });
    } finally {
      clearTimeout(timer);
    }
    if (!response.ok) {
      controller.abort();
      const retryable = response.status === 429 || response.status >= 500;
      throw new StorageError(`cannot fetch ${this.url}: HTTP ${response.status} ${response.statusText}`, { retryable });
    }
    return response;
  }

  /** The body's pieces, failing when none arrives for idleTimeoutMs. */
  private async *body(response: Response, controller: AbortController): AsyncGenerator<Uint8Array> {
    if (!response.body) return;
    const reader = response.body.getReader();
    const idle = this.options.idleTimeoutMs;
    try {
      for (;;) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const stalled = new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new StorageError(`${this.url}: no data for ${idle} ms (idleTimeoutMs)`, { retryable: true })),
            idle,
          );
        });
        let next: { done: boolean; value?: Uint8Array };
        try {
          next = await Promise.race([reader.read(), stalled]);
        } catch (cause) {
          throw cause instanceof StorageError
            ? cause
            : new StorageError(`cannot read ${this.url}: ${(cause as Error).message}`, { cause, retryable: true });
        } finally {
          clearTimeout(timer);
        }
        if (next.done) return;
        yield next.value!;
      }
    } finally {
      controller.abort();
      try {
        reader.releaseLock();
      } catch {
        // a read still pending on the aborted body: the abort settles it
      }
    }
  }

  /** Runs an idempotent read, retrying what may succeed again, with backoff. */
  private async retrying<T>(attempt: () => Promise<T>): Promise<T> {
    for (let k = 0; ; k++) {
      try {
        return await attempt();
      } catch (error) {
        if (!(error instanceof StorageError && error.retryable) || k >= this.options.retries) throw error;
        // capped: past 2^31 - 1 ms a timer fires at once, and many retries would get there
        await new Promise((r) => setTimeout(r, Math.min(200 * 2 ** k, MAX_TIMER_MS)));
      }
    }
  }

  async size(): Promise<number> {
    if (this.knownSize !== undefined) return this.knownSize;
    let refused: unknown;
    try {
      const head = await this.retrying(() => this.request({ method: "HEAD" }, new AbortController()));
      const length = Number(head.headers.get("content-length") ?? Number.NaN);
      if (Number.isFinite(length)) return (this.knownSize = length);
    } catch (error) {
      // a URL signed for GET only (a presigned S3 or GCS URL) answers HEAD with 403
      if (!(error instanceof StorageError) || error.retryable) throw error;
      refused = error;
    }
    // no HEAD, or no Content-Length in its answer: a one-byte ranged GET tells the total
    await this.read(0, 1);
    if (this.knownSize !== undefined) return this.knownSize;
    throw refused ?? new StorageError(`${this.url}: the server tells no size (no Content-Length, no Content-Range)`);
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    if (length === 0) return new Uint8Array(0);
    if (this.whole) return this.whole.subarray(offset, offset + length);
    return this.retrying(async () => {
      const controller = new AbortController();
      const response = await this.request({ headers: { Range: `bytes=${offset}-${offset + length - 1}` } }, controller);
      const parts: Uint8Array[] = [];
      let got = 0;
      for await (const part of this.body(response, controller)) {
        parts.push(part);
        got += part.length;
      }
      const body = new Uint8Array(got);
      let at = 0;
      for (const part of parts) {
        body.set(part, at);
        at += part.length;
      }
      // the total a 206 tells ("bytes 0-9/1234") spares size() a HEAD request, which a URL
      // signed for GET only (a presigned S3 URL) would refuse
      const total = /\/(\d+)\s*$/.exec(response.headers.get("content-range") ?? "")?.[1];
      if (response.status === 206) {
        if (total !== undefined) this.knownSize = Number(total);
        return body;
      }
      // a server without range support sends everything: keep it, so that the file is read once
      this.whole = body;
      this.knownSize = body.length;
      return body.subarray(offset, offset + length);
    });
  }

  async stream(): Promise<Readable> {
    const controller = new AbortController();
    const response = await this.request({}, controller);
    return byteStream(this.body(response, controller));
  }
}

const schemes = new Map<string, (url: URL, options?: StorageOptions) => Source>([
  ["http:", (u, o) => new HttpSource(u.href, o)],
  ["https:", (u, o) => new HttpSource(u.href, o)],
  ["file:", (u) => new FileSource(u.href, pathOfFileUrl(u))],
]);

/**
 * Teaches openSource a URL scheme, e.g. `registerStorage("s3:", (url) => myS3Source(url))`.
 * (Or skip it: S3 and GCS objects are readable as presigned https:// URLs as they are.)
 */
export function registerStorage(scheme: string, open: (url: URL) => Source): void {
  if (typeof scheme !== "string" || !/^[a-z][a-z0-9+.-]*:$/.test(scheme))
    throw new ArgumentError("scheme", "a URL scheme with its colon, such as 's3:'", scheme, "registerStorage");
  // checked now: a non-function would fail only at the first read, far from this call
  if (typeof open !== "function") throw new ArgumentError("open", "a function (url) => Source", open, "registerStorage");
  schemes.set(scheme, open);
}

/**
 * A Source for a local path, a file:// or http(s):// URL, or a registered scheme; `options` set
 * network sources' timeouts and retries.
 */
export function openSource(location: string | URL, options?: StorageOptions): Source {
  storageOptions(options);
  if (!(location instanceof URL) && (typeof location !== "string" || location.length === 0))
    throw new ArgumentError("location", "a path or a URL", location, "openSource");
  if (location instanceof URL || /^[a-z][a-z0-9+.-]*:\/\//i.test(location)) {
    let url: URL;
    try {
      url = location instanceof URL ? location : new URL(location);
    } catch {
      throw new ArgumentError("location", "a path or a well-formed URL", location, "openSource");
    }
    const make = schemes.get(url.protocol);
    if (!make)
      throw new ArgumentError(
        "location",
        `a path or a URL of ${[...schemes.keys()].join(", ")} (or one registerStorage() added)`,
        url.href,
        "openSource",
      );
    return opened(make, url, options);
  }
  // a page has no local paths: a relative one names a file beside the page
  const onPage = urlOfPagePath(location);
  return onPage !== undefined ? openSource(onPage, options) : new FileSource(location, location);
}

/** The Source an opener makes of `url`: what it throws or returns instead is a StorageError naming the URL. */
function opened(make: (url: URL, options?: StorageOptions) => Source, url: URL, options: StorageOptions | undefined): Source {
  let source: unknown;
  try {
    source = make(url, options);
  } catch (cause) {
    if (cause instanceof WeftError) throw cause;
    throw new StorageError(`cannot open ${url.href}: ${(cause as Error)?.message ?? String(cause)}`, { cause });
  }
  if (!isSource(source))
    throw new StorageError(
      `cannot open ${url.href}: the opener of '${url.protocol}' returned ${describe(source)}, not a Source (read(), size(), stream())`,
    );
  return source;
}

/** A path to write: a non-empty string (undefined too is refused: there is no default file). */
export function checkPath(path: unknown, where: string): string {
  if (typeof path !== "string" || path.length === 0) throw new ArgumentError("path", "a non-empty string (a local path)", path, where);
  return path;
}

/** Writes `data` to the local `path` atomically (temporary file, then rename). */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  checkPath(path, "writeFileAtomic");
  try {
    await replaceFile(path, data);
  } catch (cause) {
    throw new StorageError(`cannot write ${path}: ${(cause as Error).message}`, { cause });
  }
}

/**
 * A small static server on 127.0.0.1 for pages that load weft's browser build: the demo
 * (`npm run demo`), the browser tests and `weft bench browser`. It serves a folder with the
 * headers that make a page cross-origin isolated (COOP/COEP, so that Web Workers share its
 * WebAssembly memory) or without them, answers Range requests (readers fetch byte ranges), and
 * serves extra files by route (a peer's scripts from wherever node_modules holds them).
 */
import { createReadStream, statSync } from "node:fs";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize, resolve, sep } from "node:path";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".map": "application/json",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".csv": "text/csv; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".png": "image/png",
  ".svg": "image/svg+xml",
};

export interface ServeOptions {
  /** The folder served (default the working directory). */
  root?: string;
  /** The port (default 0: any free one). */
  port?: number;
  /** Send COOP/COEP so that pages are cross-origin isolated (default true). */
  isolated?: boolean;
  /** Files served at given paths (a path such as "/peer/tf.js" to a file anywhere), beside the folder's. */
  routes?: Readonly<Record<string, string>>;
  /** Pages served at given paths, as text (HTML). */
  pages?: Readonly<Record<string, string>>;
}

export interface StaticServer {
  /** http://127.0.0.1:PORT/ */
  url: string;
  close(): Promise<void>;
}

function end(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { "content-type": "text/plain" });
  response.end(text);
}

/** Starts the server; resolves once it listens. */
export function serveStatic(options: ServeOptions = {}): Promise<StaticServer> {
  const base = resolve(options.root ?? ".");
  const isolated = options.isolated !== false;
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? "/", "http://x").pathname);
    const headers: Record<string, string | number> = { "accept-ranges": "bytes", "cache-control": "no-store" };
    if (isolated) {
      headers["cross-origin-opener-policy"] = "same-origin";
      headers["cross-origin-embedder-policy"] = "require-corp";
      headers["cross-origin-resource-policy"] = "same-origin";
    }
    const page = options.pages?.[path];
    if (page !== undefined) {
      response.writeHead(200, { ...headers, "content-type": TYPES[".html"]! });
      return response.end(page);
    }
    let file = options.routes?.[path] ?? normalize(join(base, path));
    if (options.routes?.[path] === undefined && file !== base && !file.startsWith(base + sep))
      return end(response, 403, "outside the served folder");
    let size: number;
    try {
      let info = statSync(file);
      if (info.isDirectory()) {
        file = join(file, "index.html");
        info = statSync(file);
      }
      size = info.size;
    } catch {
      return end(response, 404, "not found");
    }
    headers["content-type"] = TYPES[extname(file)] ?? "application/octet-stream";
    const range = /^bytes=(\d*)-(\d*)$/.exec(request.headers.range ?? "");
    if (range && (range[1] !== "" || range[2] !== "")) {
      const start = range[1] === "" ? Math.max(0, size - Number(range[2])) : Number(range[1]);
      const last = range[1] === "" || range[2] === "" ? size - 1 : Math.min(Number(range[2]), size - 1);
      if (start > last || start >= size) {
        response.writeHead(416, { ...headers, "content-range": `bytes */${size}` });
        return response.end();
      }
      response.writeHead(206, { ...headers, "content-range": `bytes ${start}-${last}/${size}`, "content-length": last - start + 1 });
      if (request.method === "HEAD") return response.end();
      return void createReadStream(file, { start, end: last }).pipe(response);
    }
    response.writeHead(200, { ...headers, "content-length": size });
    if (request.method === "HEAD") return response.end();
    createReadStream(file).pipe(response);
  });
  return new Promise((started, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      started({ url: `http://127.0.0.1:${port}/`, close: () => new Promise<void>((done) => server.close(() => done())) });
    });
  });
}

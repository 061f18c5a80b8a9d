/**
 * A small static server for weft's browser build and demo (`npm run demo`), and for the browser
 * tests: serves a folder over http on 127.0.0.1 with the headers that make a page cross-origin
 * isolated (COOP/COEP, so that Web Workers share its WebAssembly memory), or without them
 * (`--no-isolation`), and answers Range requests (readers fetch byte ranges).
 *
 *   node scripts/serve.mjs [--port 8080] [--root .] [--no-isolation]
 */
import { createReadStream, statSync } from "node:fs";
import { createServer } from "node:http";
import { extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const TYPES = {
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

/**
 * Starts the server; resolves with its URL and a close() once it listens.
 * @param {{ root?: string, port?: number, isolated?: boolean }} options
 */
export function serve({ root = ".", port = 0, isolated = true } = {}) {
  const base = resolve(root);
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? "/", "http://x").pathname);
    let file = normalize(join(base, path));
    if (file !== base && !file.startsWith(base + sep)) return end(response, 403, "outside the served folder");
    let info;
    try {
      info = statSync(file);
      if (info.isDirectory()) {
        file = join(file, "index.html");
        info = statSync(file);
      }
    } catch {
      return end(response, 404, "not found");
    }
    const headers = {
      "content-type": TYPES[extname(file)] ?? "application/octet-stream",
      "accept-ranges": "bytes",
      "cache-control": "no-store",
    };
    if (isolated) {
      headers["cross-origin-opener-policy"] = "same-origin";
      headers["cross-origin-embedder-policy"] = "require-corp";
      headers["cross-origin-resource-policy"] = "same-origin";
    }
    const range = /^bytes=(\d*)-(\d*)$/.exec(request.headers.range ?? "");
    if (range && (range[1] !== "" || range[2] !== "")) {
      const start = range[1] === "" ? Math.max(0, info.size - Number(range[2])) : Number(range[1]);
      const last = range[1] === "" || range[2] === "" ? info.size - 1 : Math.min(Number(range[2]), info.size - 1);
      if (start > last || start >= info.size) {
        response.writeHead(416, { ...headers, "content-range": `bytes */${info.size}` });
        return response.end();
      }
      response.writeHead(206, { ...headers, "content-range": `bytes ${start}-${last}/${info.size}`, "content-length": last - start + 1 });
      if (request.method === "HEAD") return response.end();
      return createReadStream(file, { start, end: last }).pipe(response);
    }
    response.writeHead(200, { ...headers, "content-length": info.size });
    if (request.method === "HEAD") return response.end();
    createReadStream(file).pipe(response);
  });
  return new Promise((resolveStart, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      const { port: bound } = server.address();
      resolveStart({ url: `http://127.0.0.1:${bound}/`, close: () => new Promise((done) => server.close(() => done())) });
    });
  });
}

function end(response, status, text) {
  response.writeHead(status, { "content-type": "text/plain" });
  response.end(text);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const value = (name, fallback) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : fallback;
  };
  const { url } = await serve({ root: value("--root", "."), port: Number(value("--port", "8080")), isolated: !args.includes("--no-isolation") });
  console.log(`weft demo: ${url}examples/browser/  (Ctrl-C stops the server)`);
}

/**
 * The browser build (`npm run build:browser`, part of `npm run build`): dist/browser/index.js, an
 * ES module exporting what the Node entry exports, and dist/browser/worker.js, the Web Workers'
 * entry (self-contained), with the page's chunks and the kernel modules beside them
 * (scripts/browser/bundle.mjs says how).
 */
import { join } from "node:path";
import { bundleForBrowser, root } from "./browser/bundle.mjs";

const out = join(root, "dist", "browser");
await bundleForBrowser({ index: join(root, "src", "index.ts") }, out);
// the worker in one file, sharing no chunk with the page's: a bundler that meets
// new URL("./worker.js", import.meta.url) copies that one file (Vite does), and it still works
await bundleForBrowser({ worker: join(root, "src", "browser", "worker.ts") }, out, { keep: true, selfContained: true });

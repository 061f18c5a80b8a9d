/**
 * The browser build (`npm run build:browser`, part of `npm run build`): dist/browser/index.js, an
 * ES module exporting what the Node entry exports, and dist/browser/worker.js, the Web Workers'
 * entry, with their chunks and the kernel modules beside them (scripts/browser/bundle.mjs says how).
 */
import { join } from "node:path";
import { bundleForBrowser, root } from "./browser/bundle.mjs";

await bundleForBrowser(
  { index: join(root, "src", "index.ts"), worker: join(root, "src", "browser", "worker.ts") },
  join(root, "dist", "browser"),
);

/**
 * `npm run demo`: serves the package folder on 127.0.0.1 with COOP/COEP (so that the demo's Web
 * Workers share its memory) and prints the demo's URL. The server is bench/serve.ts's (built into
 * bench/dist by `npm run build`).
 *
 *   node scripts/serve.mjs [--port 8080] [--root .] [--no-isolation]
 */
import { serveStatic } from "../bench/dist/serve.js";

const args = process.argv.slice(2);
const value = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const { url } = await serveStatic({
  root: value("--root", new URL("..", import.meta.url).pathname),
  port: Number(value("--port", "8080")),
  isolated: !args.includes("--no-isolation"),
});
console.log(`weft demo: ${url}examples/browser/  (Ctrl-C stops the server)`);

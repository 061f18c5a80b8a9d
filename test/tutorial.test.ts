/**
 * The tutorial runs: every `js` block of docs/tutorial/*.md is executed as an ES module with
 * node, every `sh` block with bash (`npx weft` meaning this checkout's CLI), in chapter order,
 * in one working folder per chapter (inside the repository, so `import ... from "weftjs"` resolves
 * to this package the way it does for a reader of the tutorial). A `js file=NAME` block is written
 * to that folder for the blocks after it. A block fails the test when it exits non-zero.
 * Chapter 10 (a cluster) starts nats-server and worker processes: every block gets NATS_PORT
 * and NATS_URL (a free port on 127.0.0.1); the chapter is skipped without nats-server unless
 * WEFT_REQUIRE_NATS=1, and whatever process it left (its *.pid files) is killed afterwards.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { natsServerPresent } from "./helpers/nats.js";

const run = promisify(execFile);
const root = resolve(fileURLToPath(new URL("..", import.meta.url)));
const tutorial = join(root, "docs", "tutorial");
const work = join(root, ".tutorial-runs");
const cli = join(root, "dist", "src", "cli", "index.js");

interface Block {
  lang: string;
  file: string | undefined;
  code: string;
  line: number;
}

/** The fenced code blocks of a markdown file, in order. */
function codeBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const fence = /^```(\w*)([^\n]*)\n([\s\S]*?)^```\s*$/gm;
  for (const m of markdown.matchAll(fence)) {
    const file = /\bfile=(\S+)/.exec(m[2]!)?.[1];
    blocks.push({ lang: m[1]!, file, code: m[3]!, line: markdown.slice(0, m.index).split("\n").length });
  }
  return blocks;
}

const chapters = readdirSync(tutorial)
  .filter((f) => /^\d\d-.*\.md$/.test(f))
  .sort();

// WEFT_KEEP_TUTORIAL_RUNS=1 keeps the folders, to look at what the blocks wrote
const natsPresent = natsServerPresent();
if (!natsPresent && process.env.WEFT_REQUIRE_NATS === "1") throw new Error("nats-server is required (WEFT_REQUIRE_NATS=1) but missing");
/** What every block's process sees: chapter 10's server port and URL, and Debian's /usr/sbin (nats-server) on the PATH. */
const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${process.env.PATH ?? ""}:/usr/sbin` };

beforeAll(async () => {
  const port = await new Promise<number>((resolvePort) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolvePort(port));
    });
  });
  env.NATS_PORT = String(port);
  env.NATS_URL = `nats://127.0.0.1:${port}`;
});

afterAll(() => {
  // processes a chapter started and did not stop (a failed block): killed by their pid files
  for (const chapter of existsSync(work) ? readdirSync(work) : []) {
    for (const file of readdirSync(join(work, chapter)).filter((f) => f.endsWith(".pid"))) {
      try {
        process.kill(Number(readFileSync(join(work, chapter, file), "utf8")), "SIGKILL");
      } catch {
        // already gone
      }
    }
  }
  if (!process.env.WEFT_KEEP_TUTORIAL_RUNS) rmSync(work, { recursive: true, force: true });
});

it("the tutorial has its ten chapters, each with code that runs", () => {
  expect(chapters).toHaveLength(10);
  for (const chapter of chapters) {
    expect(codeBlocks(readFileSync(join(tutorial, chapter), "utf8")).filter((b) => b.lang === "js" && !b.file).length).toBeGreaterThan(0);
  }
});

for (const chapter of chapters) {
  describe.skipIf(chapter.startsWith("10-") && !natsPresent)(chapter, () => {
    const dir = join(work, chapter.replace(/\.md$/, ""));
    const blocks = codeBlocks(readFileSync(join(tutorial, chapter), "utf8"));
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    blocks.forEach((block, i) => {
      if (block.lang === "js" && block.file) {
        it(`writes ${block.file} (line ${block.line})`, () => writeFileSync(join(dir, block.file!), block.code));
      } else if (block.lang === "js") {
        it(`block ${i + 1} (line ${block.line}) runs`, async () => {
          const file = join(dir, `block-${i + 1}.mjs`);
          writeFileSync(file, block.code);
          const result = await run(process.execPath, [file], { cwd: dir, env, timeout: 120_000, maxBuffer: 16 << 20 }).catch(
            (error: { stderr?: string; message: string }) => {
              throw new Error(`${chapter} line ${block.line} failed:\n${error.stderr ?? error.message}`);
            },
          );
          expect(typeof result.stdout).toBe("string");
        }, 150_000);
      } else if (block.lang === "sh") {
        it(`shell block ${i + 1} (line ${block.line}) runs`, async () => {
          const script = `set -euo pipefail\n${block.code.replace(/\bnpx weft\b/g, `"${process.execPath}" "${cli}"`)}`;
          await run("bash", ["-c", script], { cwd: dir, env, timeout: 120_000, maxBuffer: 16 << 20 }).catch(
            (error: { stderr?: string; message: string }) => {
              throw new Error(`${chapter} line ${block.line} failed:\n${error.stderr ?? error.message}`);
            },
          );
        }, 150_000);
      }
    });
  });
}

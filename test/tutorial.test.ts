/**
 * The tutorial runs: every `js` block of docs/tutorial/*.md is executed as an ES module with
 * node, every `sh` block with bash (`npx weft` meaning this checkout's CLI), in chapter order,
 * in one working folder per chapter (inside the repository, so `import ... from "weftjs"` resolves
 * to this package the way it does for a reader of the tutorial). A `js file=NAME` block is written
 * to that folder for the blocks after it. A block fails the test when it exits non-zero.
 */
import { execFile } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

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
afterAll(() => {
  if (!process.env.WEFT_KEEP_TUTORIAL_RUNS) rmSync(work, { recursive: true, force: true });
});

it("the tutorial has its nine chapters, each with code that runs", () => {
  expect(chapters).toHaveLength(9);
  for (const chapter of chapters) {
    expect(codeBlocks(readFileSync(join(tutorial, chapter), "utf8")).filter((b) => b.lang === "js" && !b.file).length).toBeGreaterThan(0);
  }
});

for (const chapter of chapters) {
  describe(chapter, () => {
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
          const result = await run(process.execPath, [file], { cwd: dir, timeout: 120_000, maxBuffer: 16 << 20 }).catch(
            (error: { stderr?: string; message: string }) => {
              throw new Error(`${chapter} line ${block.line} failed:\n${error.stderr ?? error.message}`);
            },
          );
          expect(typeof result.stdout).toBe("string");
        }, 150_000);
      } else if (block.lang === "sh") {
        it(`shell block ${i + 1} (line ${block.line}) runs`, async () => {
          const script = `set -euo pipefail\n${block.code.replace(/\bnpx weft\b/g, `"${process.execPath}" "${cli}"`)}`;
          await run("bash", ["-c", script], { cwd: dir, timeout: 120_000, maxBuffer: 16 << 20 }).catch(
            (error: { stderr?: string; message: string }) => {
              throw new Error(`${chapter} line ${block.line} failed:\n${error.stderr ?? error.message}`);
            },
          );
        }, 150_000);
      }
    });
  });
}

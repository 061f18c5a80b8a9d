/** Profiles: timing events from plan.run, their summary, and the task-stream SVG/HTML. */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { GraphBuilder, OpRegistry, compile, key, renderProfilePage, renderTimeline, summarize, type TaskEvent } from "../src/index.js";
import { main } from "../src/cli/main.js";

const ev = (name: string, label: string, lane: number, start: number, end: number): TaskEvent => ({
  key: key(name),
  label,
  lane,
  start,
  end,
});

describe("summarize", () => {
  it("measures wall time, busy time and the share of the lanes' time that was busy", () => {
    const s = summarize([ev("pa", "f", 0, 0, 4), ev("pb", "g", 0, 6, 10), ev("pc", "f", 1, 0, 10)]);
    expect(s).toEqual({ tasks: 3, lanes: 2, wallMs: 10, busyMs: 18, utilization: 0.9 });
    expect(summarize([])).toMatchObject({ tasks: 0, utilization: 0 });
  });
});

describe("renderTimeline", () => {
  it("draws one bar per task in one lane per thread, with escaped labels", () => {
    const svg = renderTimeline([ev("pa", "f<script>", 0, 0, 4), ev("pb", "g", 1, 2, 10)], { title: "a & b" });
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg.match(/class="task"/g)).toHaveLength(2);
    expect(svg).toContain("worker 1");
    expect(svg).toContain("a &amp; b");
    expect(svg).not.toContain("<script>");
    expect(svg).toContain("f&lt;script&gt;");
  });

  it("puts the page's summary and a row per kind of task around it", () => {
    const html = renderProfilePage([ev("pa", "f", 0, 0, 4), ev("pb", "f", 0, 5, 6)], { title: "t" });
    expect(html).toMatch(/2 tasks on 1 lane\(s\) in 6\.000 ms; busy 5\.000 ms/);
    expect(html).toMatch(/<tr><td>f<\/td><td>2<\/td><td>5\.000<\/td><\/tr>/);
  });
});

describe("plan.run with events", () => {
  it("records one event per task, in run order, labelled by its ops", () => {
    const ops = new OpRegistry();
    ops.register("inc", (x: number) => x + 1);
    ops.register("both", (a: number, b: number) => a + b);
    const b = new GraphBuilder();
    const w = b.value("ew", 1);
    const x = b.task("ex", "inc", w);
    const y = b.task("ey", "inc", w);
    const z = b.task("ez", "both", x, y);
    const events: TaskEvent[] = [];
    compile(b.graph(), [z.key, x.key], { ops }).run({}, { events });
    expect(events.map((e) => e.label)).toEqual(["inc", "inc+both"]);
    for (const e of events) expect(e.end).toBeGreaterThanOrEqual(e.start);
  });
});

describe("weft profile", () => {
  it("writes the task stream of the graph suite as an HTML page", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "weft-profile-")), "p.html");
    const out: string[] = [];
    const code = await main(["profile", "graph", "--out", file], { out: (s) => out.push(s), err: () => {} });
    expect(code).toBe(0);
    const html = readFileSync(file, "utf8");
    expect(html.match(/<svg/g)).toHaveLength(2); // unfused and fused
    expect(out.join("\n")).toMatch(/fused: one task per chunk \(\d+ threads\): 73 tasks/);
  }, 60_000);

  it("needs --out, and a known suite", async () => {
    const err: string[] = [];
    expect(await main(["profile", "graph"], { out: () => {}, err: (s) => err.push(s) })).toBe(2);
    expect(await main(["profile", "nope", "--out", "x.html"], { out: () => {}, err: (s) => err.push(s) })).toBe(2);
    expect(err.join("\n")).toMatch(/must be one of graph/);
  });
});

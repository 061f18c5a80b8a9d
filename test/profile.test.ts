/**
 * Profiles: timing events from plan.run, their summary, the task-stream SVG/HTML (legend, shared
 * time axis), Trace Event JSON, `weft profile`, and the profile suites' labels checked against
 * the tasks their runs ran.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  ArgumentError,
  Graph,
  GraphBuilder,
  OpRegistry,
  Runtime,
  array,
  compile,
  key,
  renderComparisonPage,
  renderProfilePage,
  renderTimeline,
  sharedAxis,
  summarize,
  toTraceEvents,
  type TaskEvent,
  type TraceEvent,
  type TraceEventFile,
} from "../src/index.js";
import { main } from "../src/cli/main.js";
import { NAIVE_RUN, naiveGradient, profileGlm } from "../bench/glm-profile.js";
import { profileGraph, profileOps, seedGraph } from "../bench/profile.js";
import { persistLogisticProblem } from "../bench/problem.js";

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

/** The x and width of each task bar of an SVG, in order. */
const bars = (svg: string) =>
  [...svg.matchAll(/class="task" x="([\d.]+)" y="\d+" width="([\d.]+)"[^>]*fill="([^"]+)"/g)].map((m) => ({
    x: Number(m[1]),
    width: Number(m[2]),
    fill: m[3]!,
  }));
/** The tick labels of an SVG's time axis. */
const ticks = (svg: string) => [...svg.matchAll(/>([\d.]+) ms</g)].map((m) => m[1]);

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

  it("has a legend: the colour of each label, the white space, and what the lanes are", () => {
    const svg = renderTimeline([ev("pa", "exp", 0, 0, 4), ev("pb", "chunk+exp+sum", 1, 2, 10), ev("pc", "exp", 1, 10, 11)]);
    const legend = svg.slice(svg.indexOf('<g class="legend">'));
    const entries = [...legend.matchAll(/<g class="legend-entry"><rect [^>]*fill="([^"]+)"[^>]*\/><text [^>]*>([^<]*)<\/text>/g)].map(
      (m) => [m[2], m[1]],
    );
    const fills = new Map(bars(svg).map((b, i) => [["exp", "chunk+exp+sum", "exp"][i], b.fill]));
    expect(entries).toEqual([
      ["no task running (white space)", "#f4f4f4"],
      ["exp", fills.get("exp")],
      ["chunk+exp+sum", fills.get("chunk+exp+sum")],
    ]);
    expect(fills.get("exp")).not.toBe(fills.get("chunk+exp+sum"));
    expect(legend).toMatch(/main is the calling thread, worker n a worker thread/);
    // the lanes' background is the legend's white space
    expect(svg.match(/class="lane"[^>]*fill="#f4f4f4"/g)).toHaveLength(2);
  });

  it("shortens a long label in the legend and keeps it whole in the entry's tooltip", () => {
    const long = Array.from({ length: 12 }, (_, i) => `op${i}`).join("+");
    const svg = renderTimeline([ev("pa", long, 0, 0, 4)]);
    const legend = svg.slice(svg.indexOf('<g class="legend">'));
    expect(legend).toContain(`<title>${long}</title>`);
    expect(legend).toContain("…");
  });

  it("draws timelines with one shared axis at one scale, and an op in one colour in both", () => {
    const a = [ev("pa", "g", 0, 0, 4), ev("pb", "f", 0, 4, 10)];
    const b = [ev("pc", "f", 0, 100, 104)];
    const axis = sharedAxis([a, b]);
    expect(axis).toEqual({ span: 10, labels: ["g", "f"] });
    const svgA = renderTimeline(a, { ...axis, width: 600 });
    const svgB = renderTimeline(b, { ...axis, width: 600 });
    // 4 ms is as wide in both, and both axes read the same
    expect(bars(svgB)[0]!.width).toBeCloseTo(bars(svgA)[0]!.width, 6);
    expect(bars(svgB)[0]!.x).toBeCloseTo(bars(svgA)[0]!.x, 6);
    expect(ticks(svgB)).toEqual(ticks(svgA));
    expect(bars(svgB)[0]!.fill).toBe(bars(svgA)[1]!.fill);
    // drawn alone, b fills the width and its one op takes the first colour
    const alone = renderTimeline(b, { width: 600 });
    expect(bars(alone)[0]!.width).toBeGreaterThan(2 * bars(svgB)[0]!.width);
    expect(bars(alone)[0]!.fill).not.toBe(bars(svgB)[0]!.fill);
    // b's lane ends where b ends, not at the end of the shared axis
    const lane = (svg: string) => Number(/class="lane" x="[\d.]+" y="\d+" width="([\d.]+)"/.exec(svg)![1]);
    expect(lane(svgB)).toBeCloseTo(bars(svgB)[0]!.width, 1);
    expect(lane(svgA)).toBeGreaterThan(2 * lane(svgB));
  });

  it("refuses a span shorter than the timeline and unknown options, naming them", () => {
    const a = [ev("pa", "g", 0, 0, 4)];
    expect(() => renderTimeline(a, { span: 3 })).toThrow(ArgumentError);
    expect(() => renderTimeline(a, { span: 3 })).toThrow(/'span' must be at least the timeline's own span/);
    expect(() => renderTimeline(a, { spam: 3 } as never)).toThrow(/'spam'/);
    expect(() => renderTimeline(a, { labels: [1] } as never)).toThrow(/'labels'/);
    expect(() => sharedAxis([a, "x" as never])).toThrow(/'timelines\[1\]'/);
  });

  it("puts the page's summary and a row per kind of task around it", () => {
    const html = renderProfilePage([ev("pa", "f", 0, 0, 4), ev("pb", "f", 0, 5, 6)], { title: "t" });
    expect(html).toMatch(/2 tasks on 1 lane\(s\) in 6\.000 ms; busy 5\.000 ms/);
    expect(html).toMatch(/<td>f<\/td><td>2<\/td><td>5\.000<\/td><\/tr>/);
  });

  it("compares timelines on one page, on one axis", () => {
    const html = renderComparisonPage(
      [
        { title: "slow", events: [ev("pa", "g", 0, 0, 4), ev("pb", "f", 1, 4, 10)] },
        { title: "fast", events: [ev("pc", "f", 0, 100, 102)] },
      ],
      { title: "slow & fast" },
    );
    const svgs = html.match(/<svg[\s\S]*?<\/svg>/g)!;
    expect(svgs).toHaveLength(2);
    expect(ticks(svgs[1]!)).toEqual(ticks(svgs[0]!));
    expect(bars(svgs[1]!)[0]!.width).toBeCloseTo(bars(svgs[0]!)[1]!.width / 3, 1);
    expect(html).toContain("<h1>slow &amp; fast</h1>");
    expect(html).toMatch(/one time axis: 10 ms across the width/);
    expect(() => renderComparisonPage([])).toThrow(/'timelines'/);
  });
});

/** Checks the Trace Event Format's structure of `trace` and that it says what `events` say. */
function expectTraceOf(trace: TraceEventFile, events: readonly TaskEvent[], pid = 1): TraceEvent[] {
  expect(trace.displayTimeUnit).toBe("ms");
  expect(JSON.parse(JSON.stringify(trace))).toEqual(trace);
  const mine = trace.traceEvents.filter((e) => e.pid === pid);
  for (const e of mine) {
    expect(typeof e.name).toBe("string");
    expect(["X", "M"]).toContain(e.ph);
    expect(Number.isFinite(e.ts) && e.ts >= 0).toBe(true);
    expect(Number.isInteger(e.tid) && e.tid >= 1).toBe(true);
  }
  const tasks = mine.filter((e) => e.ph === "X");
  expect(tasks).toHaveLength(events.length);
  // tasks in start order, each as the profile has it: ts and dur in microseconds from the first start
  const sorted = [...events].sort((a, b) => a.start - b.start || a.lane - b.lane);
  const origin = sorted[0]?.start ?? 0;
  tasks.forEach((t, i) => {
    const e = sorted[i]!;
    expect(t.name).toBe(e.label);
    expect(t.tid).toBe(e.lane + 1);
    expect(t.dur).toBeGreaterThanOrEqual(0);
    expect(Math.abs(t.ts - (e.start - origin) * 1000)).toBeLessThan(0.002);
    expect(Math.abs(t.ts + t.dur! - (e.end - origin) * 1000)).toBeLessThan(0.002);
    expect(t.args.key).toEqual(expect.any(String));
    if (i > 0) expect(t.ts).toBeGreaterThanOrEqual(tasks[i - 1]!.ts);
  });
  // one thread_name per thread: main for lane 0, worker n for the others
  const names = mine.filter((e) => e.ph === "M" && e.name === "thread_name");
  expect(new Set(names.map((n) => n.tid)).size).toBe(names.length);
  for (const tid of new Set(tasks.map((t) => t.tid))) expect(names.map((n) => n.tid)).toContain(tid);
  for (const n of names) expect(n.args.name).toBe(n.tid === 1 ? "main" : `worker ${n.tid - 1}`);
  expect(mine.filter((e) => e.ph === "M" && e.name === "process_name")).toHaveLength(1);
  return names;
}

describe("toTraceEvents", () => {
  it("writes a complete event per task and a name per thread, in microseconds from the first task", () => {
    const events = [ev("pb", "g", 2, 1.5, 2.25), { ...ev("pa", "f+g", 0, 1, 4), bytes: 800 }];
    const trace = toTraceEvents(events);
    const names = expectTraceOf(trace, events);
    expect(names.map((n) => n.tid).sort()).toEqual([1, 3]); // the threads seen
    expect(trace.traceEvents.filter((e) => e.ph === "X")).toEqual([
      { name: "f+g", ph: "X", ts: 0, dur: 3000, pid: 1, tid: 1, cat: "task", args: { key: "pa", lane: 0, bytes: 800 } },
      { name: "g", ph: "X", ts: 500, dur: 750, pid: 1, tid: 3, cat: "task", args: { key: "pb", lane: 2 } },
    ]);
    // every thread of a runtime, a process id and name of one's own
    const all = toTraceEvents(events, { threads: 4, pid: 7, processName: "mine" });
    expect(expectTraceOf(all, events, 7)).toHaveLength(4);
    expect(all.traceEvents.find((e) => e.name === "process_name")!.args.name).toBe("mine");
    expect(toTraceEvents([]).traceEvents.filter((e) => e.ph === "X")).toEqual([]);
  });

  it("refuses what is not a list of events, and bad options, naming them", () => {
    expect(() => toTraceEvents("x" as never)).toThrow(/'events'/);
    expect(() => toTraceEvents([ev("pa", "f", 0, 4, 1)])).toThrow(/'events'.*start <= end/);
    expect(() => toTraceEvents([], { pid: 0 })).toThrow(/'pid'/);
    expect(() => toTraceEvents([], { tid: 1 } as never)).toThrow(/'tid'/);
  });

  it("is what a runtime's profile gives, a track for each of its threads", async () => {
    const rt = await Runtime.start({ threads: 2 });
    try {
      await array.random
        .uniform({ shape: [40_000], chunks: 5_000, seed: 3 })
        .exp()
        .compute({ runtime: rt });
      const profile = rt.profile();
      expect(profile.events).toHaveLength(8);
      const trace = profile.toTraceEvents();
      expect(expectTraceOf(trace, profile.events)).toHaveLength(2);
      // each chunk's result: 5,000 float64 values
      expect(trace.traceEvents.filter((e) => e.ph === "X").map((e) => e.args.bytes)).toEqual(Array(8).fill(40_000));
      const { profile: traced } = await rt.trace(() => array.arange(10, { chunks: 5 }).sum().compute({ runtime: rt }));
      expectTraceOf(traced.toTraceEvents({ pid: 3 }), traced.events, 3);
      expect(() => traced.toTraceEvents("x" as never)).toThrow(/options/);
    } finally {
      await rt.close();
    }
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

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("weft profile", () => {
  it("writes the task streams of the graph suite on one page, on one time axis", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "weft-profile-")), "p.html");
    const { code, out } = await run("profile", "graph", "--out", file);
    expect(code).toBe(0);
    const html = readFileSync(file, "utf8");
    const svgs = html.match(/<svg[\s\S]*?<\/svg>/g)!;
    expect(svgs).toHaveLength(2); // unfused and fused
    expect(ticks(svgs[1]!)).toEqual(ticks(svgs[0]!));
    expect(html).toContain('class="legend"');
    expect(out).toMatch(/fused: one task per chunk \(\d+ threads\): 73 tasks/);
  }, 60_000);

  it("--format trace writes Trace Event JSON: a process per run, a complete event per task", async () => {
    const dir = mkdtempSync(join(tmpdir(), "weft-profile-"));
    const file = join(dir, "glm.trace");
    const { code, out } = await run("profile", "glm", "--rows", "2000", "--format", "trace", "--out", file);
    expect(code).toBe(0);
    const trace = JSON.parse(readFileSync(file, "utf8")) as TraceEventFile;
    expect(trace.displayTimeUnit).toBe("ms");
    const processes = trace.traceEvents.filter((e) => e.name === "process_name");
    expect(processes.map((p) => [p.pid, p.args.name])).toEqual([
      [1, NAIVE_RUN],
      [2, "weft: a compiled plan, the fused GLM kernel"],
    ]);
    for (const p of processes) {
      const tasks = trace.traceEvents.filter((e) => e.pid === p.pid && e.ph === "X");
      // as many as the summary line says, each on a named thread, each with its duration
      const said = new RegExp(`${String(p.args.name).replace(/[()]/g, "\\$&")}: (\\d+) tasks`).exec(out);
      expect(tasks.length).toBe(Number(said![1]));
      const threads = new Set(trace.traceEvents.filter((e) => e.pid === p.pid && e.name === "thread_name").map((e) => e.tid));
      for (const t of tasks) {
        expect(threads.has(t.tid)).toBe(true);
        expect(t.dur).toBeGreaterThanOrEqual(0);
        expect(t.ts).toBeGreaterThanOrEqual(0);
      }
    }
    // a .json file is a trace without --format; a file there already needs --force
    const again = await run("profile", "glm", "--rows", "2000", "--out", file);
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/'--out' must be a file that does not exist yet \(or --force to replace it\)/);
    const json = join(dir, "glm.json");
    expect((await run("profile", "glm", "--rows", "2000", "--out", json)).code).toBe(0);
    expect(JSON.parse(readFileSync(json, "utf8")).traceEvents.length).toBeGreaterThan(0);
    expect((await run("profile", "glm", "--rows", "2000", "--out", json, "--force", "--format", "html")).code).toBe(0);
    expect(readFileSync(json, "utf8")).toMatch(/^<!doctype html>/);
  }, 120_000);

  it("--format trace of a script: its computations on the default runtime, a track per thread", async () => {
    const dir = mkdtempSync(join(tmpdir(), "weft-profile-script-"));
    const script = join(dir, "loop.mjs");
    // the copy of weft the CLI runs (here: the sources, as the tests load them)
    const index = new URL("../src/index.ts", import.meta.url).href;
    writeFileSync(
      script,
      [`import { array } from ${JSON.stringify(index)};`, "await array.arange(2000, { chunks: 100 }).sum().compute();"].join("\n"),
    );
    const file = join(dir, "loop.json");
    const { code } = await run("profile", "--script", script, "--out", file);
    expect(code).toBe(0);
    const trace = JSON.parse(readFileSync(file, "utf8")) as TraceEventFile;
    expect(trace.traceEvents.filter((e) => e.ph === "X").length).toBeGreaterThanOrEqual(20); // a task per chunk at least
    expect(trace.traceEvents.find((e) => e.name === "process_name")!.args.name).toBe("loop.mjs");
    expect(trace.traceEvents.filter((e) => e.name === "thread_name").map((e) => e.args.name)).toContain("main");
  }, 60_000);

  it("needs --out, a known suite and a known format", async () => {
    expect((await run("profile", "graph")).code).toBe(2);
    const suite = await run("profile", "nope", "--out", "x.html");
    expect(suite.code).toBe(2);
    expect(suite.err).toMatch(/must be one of graph/);
    const format = await run("profile", "graph", "--format", "svg", "--out", "x.svg");
    expect(format.code).toBe(2);
    expect(format.err).toMatch(/Allowed choices are html, trace/);
  });
});

describe("the profile suites' labels", () => {
  // A run's name says what it ran: one labelled unfused ran a task per op (no task of several
  // ops, "a+b"), as many as its graph compiled with fusion "none" makes.
  const unfusedOnly = (events: readonly TaskEvent[]) => events.filter((e) => e.label.includes("+")).map((e) => e.label);

  it("graph: the unfused run ran the unfused plan's tasks, the fused run fewer", async () => {
    const chunks = 6;
    const n = 1000;
    const runs = await profileGraph({ chunks, chunkLength: n, threads: 2 });
    const { graph, output } = seedGraph(chunks, n);
    const planned = (fusion: "none" | "aggressive") => compile(graph, [output], { ops: profileOps(), fusion }).tasks.length;
    const unfused = runs.filter((r) => /\bunfused\b/.test(r.name));
    expect(unfused).toHaveLength(1);
    expect(unfusedOnly(unfused[0]!.events)).toEqual([]);
    expect(unfused[0]!.events).toHaveLength(planned("none"));
    const fused = runs.find((r) => /^fused/.test(r.name))!;
    expect(fused.events).toHaveLength(planned("aggressive"));
    expect(planned("aggressive")).toBeLessThan(planned("none"));
  }, 60_000);

  it("glm: the naive run, labelled unfused, ran the unfused gradient's tasks every iteration", async () => {
    const rows = 2000;
    const iterations = 2;
    const runs = await profileGlm({ rows, iterations });
    const naive = runs.find((r) => r.name === NAIVE_RUN)!;
    expect(naive.name).toMatch(/\bunfused\b/);
    expect(unfusedOnly(naive.events)).toEqual([]);
    // the same gradient's graph on the same problem, compiled here: unfused, and as compute() would by default
    const rt = await Runtime.start({ threads: 1 });
    try {
      const { X, y } = await persistLogisticProblem(rt, rows, 100);
      const layer = naiveGradient(X, y, new Float64Array(100)).storageLayer;
      const planned = (fusion?: "none") => rt.compile(new Graph([layer]), layer.keys(), fusion ? { fusion } : {}).tasks.length;
      expect(naive.tasksPerIteration).toBe(planned("none"));
      expect(naive.events).toHaveLength(iterations * planned("none"));
      expect(planned()).toBeLessThan(planned("none")); // so the check above tells the two apart
    } finally {
      await rt.close();
    }
  }, 120_000);
});

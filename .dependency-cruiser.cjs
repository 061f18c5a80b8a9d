/**
 * The layer rules of docs/architecture.md, checked by `npm run check:layers` (part of `npm test`):
 * a module imports only from its own layer and the layers below it, and no import cycle exists,
 * however long. Lowest first; layers on one line do not import each other.
 */
const LAYERS = [
  ["errors", "platform"],
  ["version"],
  ["validate"],
  ["memory"],
  ["kernels"],
  ["random"],
  ["graph"],
  ["profile"],
  ["execute"],
  ["scheduler"],
  ["runtime"],
  ["array"],
  ["base", "metrics"],
  ["glm", "preprocessing", "io"],
  ["model_selection"],
  ["cluster"],
  ["cli"],
  ["index", "browser"],
];

/** The path pattern of a layer (a folder of src/, or one file at its top). */
const pattern = (name) => `^src/${name}(/|\\.ts$)`;

const forbidden = [
  { name: "no-cycles", severity: "error", comment: "modules form layers: no import cycle", from: {}, to: { circular: true } },
  {
    // the seam a browser build replaces: everything else asks src/platform for what Node offers
    name: "node-only-in-platform",
    severity: "error",
    comment: "only src/platform (and the CLI) import Node's modules (node:fs, node:worker_threads, ...), type-only imports included",
    from: { path: "^src/", pathNot: "^src/(platform|cli)/" },
    to: { dependencyTypes: ["core"] },
  },
  {
    // the browser adapters replace src/platform/*.ts in the browser build: nothing there may need Node
    name: "no-node-in-browser-platform",
    severity: "error",
    comment: "src/platform/browser and src/browser (the browser build's own modules) import no Node module",
    from: { path: "^src/(platform/browser|browser)/" },
    to: { dependencyTypes: ["core"] },
  },
  {
    // everything else reaches the platform through the seam (src/platform/*.ts), which the build swaps
    name: "browser-adapters-through-the-seam",
    severity: "error",
    comment: "only the browser build's entries (src/browser) and the adapters import src/platform/browser directly",
    from: { path: "^src/", pathNot: "^src/(platform/browser|browser)/" },
    to: { path: "^src/platform/browser/" },
  },
];
forbidden.push({
  name: "bench-public-api-only",
  severity: "error",
  comment: "bench/ imports weft by its package entries (weftjs, weftjs/graph, weftjs/kernels, weftjs/memory, weftjs/cluster), as users do",
  from: { path: "^bench/" },
  to: { path: "^src/", pathNot: "^src/(index|graph/index|kernels/index|memory/index|cluster/index)\\.ts$" },
});
LAYERS.forEach((level, i) => {
  const above = LAYERS.slice(i + 1).flat();
  for (const name of level) {
    const peers = level.filter((other) => other !== name);
    const banned = [...above, ...peers];
    if (banned.length === 0) continue;
    forbidden.push({
      name: `layer-${name}`,
      severity: "error",
      comment: `${name} imports only from the layers below it (docs/architecture.md)`,
      from: { path: pattern(name) },
      to: { path: banned.map(pattern) },
    });
  }
});

module.exports = {
  forbidden,
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^bench/(dist|python|results)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { extensions: [".ts", ".js"] },
  },
};

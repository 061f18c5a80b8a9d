/**
 * weftjs/bench: the benchmarks as an entry of the package, built from weft's public API only
 * (bench/tsconfig.json). `weft bench SUITE` and `weft profile SUITE` load it on demand, so the
 * library never loads benchmark code and its dependencies.
 */
export { runBench, SUITES } from "./cli.js";
export type { BenchIO, BenchOptions, Progress, SuiteName } from "./cli.js";
export { profileGraph, profileOverhead } from "./profile.js";
export { profileGlm } from "./glm-profile.js";

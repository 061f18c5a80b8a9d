/**
 * The cluster's pure parts, without a server: the wire codec (float64 vectors exact, malformed
 * payloads refused), the request checks (every op, every field), and the statistics a client
 * combines from the workers' parts (equal to those of all the rows).
 */
import { describe, expect, it } from "vitest";
import { decode, encode } from "../src/cluster/codec.js";
import { ProtocolError } from "../src/cluster/errors.js";
import { checkRequest } from "../src/cluster/protocol.js";
import { combineStatistics, dataStatistics } from "../src/glm/scaling.js";

describe("the wire codec", () => {
  it("carries float64 vectors bit for bit, NaN, infinities and -0 included", () => {
    const v = Float64Array.of(1, -0, Number.NaN, Number.POSITIVE_INFINITY, 5e-324, Math.PI);
    const back = decode(encode({ beta: v, n: 3, nested: [{ g: v.subarray(1, 3) }] })) as {
      beta: Float64Array;
      n: number;
      nested: { g: Float64Array }[];
    };
    expect(back.beta).toBeInstanceOf(Float64Array);
    expect(Array.from(back.beta).map((x) => (Object.is(x, -0) ? "-0" : String(x)))).toEqual([
      "1",
      "-0",
      "NaN",
      "Infinity",
      "5e-324",
      String(Math.PI),
    ]);
    expect(Array.from(back.nested[0]!.g).map(String)).toEqual(["0", "NaN"]);
    expect(back.n).toBe(3);
  });

  it("refuses what is not its JSON, with a ProtocolError", () => {
    expect(() => decode(new TextEncoder().encode("not json"))).toThrow(ProtocolError);
    expect(() => decode(Uint8Array.of(0xff, 0xfe))).toThrow(/not UTF-8/);
    expect(() => decode(new TextEncoder().encode('{"v":{"$f64":"AAAA"}}'))).toThrow(/not a multiple of 8/);
  });
});

describe("request checks", () => {
  const beta = new Float64Array(3);
  const problem = { dataset: "d1", parts: [0, 1], family: "logistic", intercept: true };
  it("accepts every op's well-formed request", () => {
    expect(() => checkRequest("load", { dataset: "d1", spec: { source: "x.csv", target: "y" }, part: 1, partitions: 2 })).not.toThrow();
    expect(() => checkRequest("drop", { dataset: "d1", parts: [] })).not.toThrow();
    expect(() => checkRequest("describe", problem)).not.toThrow();
    for (const op of ["lossGrad", "loss", "hessian"]) expect(() => checkRequest(op, { ...problem, beta })).not.toThrow();
    const admm = { ...problem, z: beta, u: beta, previous: beta, coordinates: beta, rho: 1, steps: 3, refresh: true };
    expect(() => checkRequest("admm", admm)).not.toThrow();
  });

  it("names the op or the field that is wrong", () => {
    expect(() => checkRequest("exec", {})).toThrow(/unknown op 'exec'/);
    expect(() => checkRequest("loss", [1])).toThrow(/JSON object/);
    expect(() => checkRequest("loss", { ...problem, beta: [1, 2, 3] })).toThrow(/'beta' must be a float64 vector/);
    expect(() => checkRequest("loss", { ...problem, family: "gamma", beta })).toThrow(/'family' must be one of logistic, normal, poisson/);
    expect(() => checkRequest("loss", { ...problem, dataset: "../../etc", beta })).toThrow(/'dataset'/);
    expect(() => checkRequest("loss", { ...problem, parts: [-1], beta })).toThrow(/'parts'/);
    expect(() => checkRequest("load", { dataset: "d1", spec: { source: "x.csv", target: "y" }, part: 2, partitions: 2 })).toThrow(
      /'part' must be a partition number below 2/,
    );
    expect(() => checkRequest("load", { dataset: "d1", spec: { source: "", target: "y" }, part: 0, partitions: 1 })).toThrow(/'source'/);
    const admm = { ...problem, z: beta, u: beta, previous: beta, coordinates: beta, rho: 0, steps: 3, refresh: true };
    expect(() => checkRequest("admm", admm)).toThrow(/'rho' must be a finite number > 0/);
    expect(() => checkRequest("admm", { ...admm, rho: 1, steps: 1000 })).toThrow(/'steps'/);
  });
});

describe("combineStatistics", () => {
  it("gives the statistics of all the rows from those of disjoint parts", () => {
    const p = 3;
    const rows = 600;
    const X = Float64Array.from({ length: rows * p }, (_, k) => Math.sin(k) * (1 + (k % p)) + (k % p) * 10);
    const y = Float64Array.from({ length: rows }, (_, i) => Math.cos(i) * 4 + 1);
    const whole = dataStatistics([X], [y], p);
    const cut = [0, 150, 420, 600];
    const parts = cut.slice(1).map((end, k) => dataStatistics([X.subarray(cut[k]! * p, end * p)], [y.subarray(cut[k]!, end)], p));
    const combined = combineStatistics(parts);
    expect(combined.rows).toBe(whole.rows);
    expect(combined.weightSum).toBe(whole.weightSum);
    expect(combined.sampled).toBe(whole.sampled); // few enough rows that every one is sampled
    for (const key of ["mean", "std", "rms"] as const) for (let j = 0; j < p; j++) expect(combined[key][j]).toBeCloseTo(whole[key][j]!, 10);
    for (const key of ["yMean", "yStd", "yRms"] as const) expect(combined[key]).toBeCloseTo(whole[key], 10);
  });
});

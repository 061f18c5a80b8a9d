/**
 * What the client and the workers say to each other over NATS. Requests go to one worker's
 * subject, `<prefix>.worker.<id>.<op>`, as JSON (codec.ts); every reply is `{ ok: true, ... }`
 * or `{ ok: false, error: { name, message } }`. A worker executes nothing but these ops, and
 * checks every field of every request (checkRequest) before it acts: a malformed one gets an
 * error reply and the worker goes on.
 *
 * Workers register in the JetStream KV bucket `<prefix>-workers` under their id, with a
 * heartbeat: a worker whose heartbeat is older than the client's `deadAfterMs` is dead.
 */
import type { DataStatistics } from "../glm/scaling.js";
import { ProtocolError } from "./errors.js";

/** The GLM families a cluster fits (those of glm/families.ts). */
export const FAMILIES = ["logistic", "normal", "poisson"] as const;
export type ClusterFamily = (typeof FAMILIES)[number];

/** Where a dataset's rows come from and which columns are read (every worker reads the same). */
export interface DatasetSpec {
  /** A path every worker can read, or an http(s) URL: a CSV, NPY, Parquet or Arrow file. */
  source: string;
  target: string;
  features?: string[];
}

/** Which part of a dataset a request is about: the dataset's id and partitions (of `partitions`). */
interface Parts {
  dataset: string;
  parts: number[];
}

/** A GLM problem on those parts. */
interface ProblemRef extends Parts {
  family: ClusterFamily;
  intercept: boolean;
}

/** The requests, by op. */
export interface Requests {
  /** Read the source and keep partition `part` of `partitions` (equal row ranges, in order). */
  load: { dataset: string; spec: DatasetSpec; part: number; partitions: number };
  /** Forget a dataset's partitions (all of them when `parts` is empty). */
  drop: Parts;
  /** Each part's rows, row chunks, columns and data statistics (glm/scaling.ts). */
  describe: ProblemRef;
  lossGrad: ProblemRef & { beta: Float64Array };
  loss: ProblemRef & { beta: Float64Array };
  hessian: ProblemRef & { beta: Float64Array };
  /** ADMM's local steps on each chunk of the parts, in order (GlmProblem.admmLocal). */
  admm: ProblemRef & {
    z: Float64Array;
    u: Float64Array;
    previous: Float64Array;
    rho: number;
    steps: number;
    refresh: boolean;
    /** Coordinates.packed(): scale then center (2p values). */
    coordinates: Float64Array;
  };
}
export type Op = keyof Requests;
export const OPS: readonly Op[] = ["load", "drop", "describe", "lossGrad", "loss", "hessian", "admm"];

/** What one part of a dataset is, as its worker describes it. */
export interface PartDescription {
  part: number;
  rows: number;
  chunks: number;
  p: number;
  /** The part's statistics (glm/scaling.ts), which the client combines. */
  stats: DataStatistics;
}

/** The replies' payloads, by op. */
export interface Replies {
  /** The partition's rows, and the feature columns read (in order). */
  load: { rows: number; features: string[] };
  drop: Record<string, never>;
  describe: { parts: PartDescription[] };
  lossGrad: { loss: number; grad: Float64Array };
  loss: { loss: number };
  hessian: { hessian: Float64Array };
  admm: { x: Float64Array };
}

/** A reply: the op's payload and the milliseconds the worker spent on it, or the error it raised. */
export type Reply<O extends Op> = ({ ok: true; ms: number } & Replies[O]) | { ok: false; error: { name: string; message: string } };

/** The subject of op `op` on worker `id`. */
export const subjectOf = (prefix: string, id: string, op: Op) => `${prefix}.worker.${id}.${op}`;
/** The KV bucket of the workers' registrations. */
export const bucketOf = (prefix: string) => `${prefix}-workers`;

/** What a worker registers (and refreshes with every heartbeat). */
export interface WorkerRecord {
  id: string;
  name: string;
  threads: number;
  /** Bytes of its runtime's shared memory in use, and its host process's resident set. */
  memory: { used: number; rss: number };
  /** Datasets held: id -> the parts. */
  datasets: Record<string, number[]>;
  /** Grid search tasks done (absent from workers before grid search ran on clusters). */
  searchTasks?: number;
  /** The grid search task in hand, `<search>.<task>` (absent when idle). */
  searchTask?: string;
  /** Milliseconds since the epoch, at the last heartbeat. */
  heartbeat: number;
  startedAt: number;
}

// ---- checks: a request is what its op says, or a ProtocolError naming the field ----

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

function field<T>(m: Record<string, unknown>, name: string, ok: (v: unknown) => boolean, what: string): T {
  if (!ok(m[name])) throw new ProtocolError(`field '${name}' must be ${what}`);
  return m[name] as T;
}

const isName = (v: unknown) => typeof v === "string" && /^[A-Za-z0-9_.:-]{1,200}$/.test(v);
const isCount = (v: unknown) => Number.isInteger(v) && (v as number) >= 0 && (v as number) < 2 ** 31;
const isVector = (v: unknown) => v instanceof Float64Array;
const isFiniteNumber = (v: unknown) => typeof v === "number" && Number.isFinite(v);

function checkParts(m: Record<string, unknown>): void {
  field(m, "dataset", isName, "a dataset id (letters, digits, _ . : -)");
  field(m, "parts", (v) => Array.isArray(v) && v.length <= 100_000 && v.every(isCount), "a list of partition numbers");
}

function checkProblem(m: Record<string, unknown>): void {
  checkParts(m);
  field(m, "family", (v) => (FAMILIES as readonly unknown[]).includes(v), `one of ${FAMILIES.join(", ")}`);
  field(m, "intercept", (v) => typeof v === "boolean", "true or false");
}

/** The request of op `op`, checked; a ProtocolError naming what is wrong. */
export function checkRequest<O extends Op>(op: string, message: unknown): Requests[O] {
  if (!(OPS as readonly string[]).includes(op)) throw new ProtocolError(`unknown op '${op}' (one of ${OPS.join(", ")})`);
  if (!isRecord(message)) throw new ProtocolError("a request must be a JSON object");
  switch (op as Op) {
    case "load": {
      field(message, "dataset", isName, "a dataset id (letters, digits, _ . : -)");
      const spec = field<Record<string, unknown>>(message, "spec", isRecord, "{ source, target, features? }");
      field(spec, "source", (v) => typeof v === "string" && v.length > 0 && v.length < 4096, "a path or a URL");
      field(spec, "target", (v) => typeof v === "string" && v.length > 0, "a column name");
      if (spec.features !== undefined)
        field(spec, "features", (v) => Array.isArray(v) && v.every((f) => typeof f === "string"), "a list of column names");
      const partitions = field<number>(message, "partitions", (v) => isCount(v) && (v as number) >= 1, "a whole number >= 1");
      field(message, "part", (v) => isCount(v) && (v as number) < partitions, `a partition number below ${partitions}`);
      break;
    }
    case "drop":
      checkParts(message);
      break;
    case "describe":
      checkProblem(message);
      break;
    case "lossGrad":
    case "loss":
    case "hessian":
      checkProblem(message);
      field(message, "beta", isVector, "a float64 vector");
      break;
    case "admm":
      checkProblem(message);
      for (const name of ["z", "u", "previous", "coordinates"]) field(message, name, isVector, "a float64 vector");
      field(message, "rho", (v) => isFiniteNumber(v) && (v as number) > 0, "a finite number > 0");
      field(message, "steps", (v) => isCount(v) && (v as number) >= 1 && (v as number) <= 100, "a whole number in [1, 100]");
      field(message, "refresh", (v) => typeof v === "boolean", "true or false");
      break;
  }
  return message as unknown as Requests[O];
}

// ---- grid search tasks (search-queue.ts): messages on the work-queue stream, results in KV ----

/** One task of a grid search, as a worker pulls it. */
export interface SearchTaskMessage {
  /** The search's id, and the task's: its index in the plan, or "refit". */
  search: string;
  task: string;
  spec: DatasetSpec;
  /** The searched model, unfitted (model_selection/model-spec.ts). */
  estimator: unknown;
  scoring: string;
  cv: { nSplits: number; shuffle: boolean; seed: number };
  fold: number;
  group: number;
  /** The candidates fitted, in order (indices in the search), and their parameters. */
  members: number[];
  params: Record<string, unknown>[];
}

/** A task's result, stored in the results bucket under `<search>.<task>`. */
export type SearchResultMessage =
  | {
      ok: true;
      worker: string;
      /** Milliseconds the worker spent on it, and how many times the task had been delivered. */
      ms: number;
      deliveries: number;
      scores?: number[];
      times?: number[];
      transformerFits?: Record<string, number>;
      /** A refit's model (toJSON()). */
      model?: unknown;
    }
  | { ok: false; worker: string; error: { name: string; message: string } };

/** A search task message, checked; a ProtocolError naming what is wrong (the model itself is checked when built). */
export function checkSearchTask(message: unknown): SearchTaskMessage {
  if (!isRecord(message)) throw new ProtocolError("a search task must be a JSON object");
  field(message, "search", isName, "a search id (letters, digits, _ . : -)");
  field(message, "task", (v) => v === "refit" || (typeof v === "string" && /^\d{1,9}$/.test(v)), "a task number or 'refit'");
  const spec = field<Record<string, unknown>>(message, "spec", isRecord, "{ source, target, features? }");
  field(spec, "source", (v) => typeof v === "string" && v.length > 0 && v.length < 4096, "a path or a URL");
  field(spec, "target", (v) => typeof v === "string" && v.length > 0, "a column name");
  if (spec.features !== undefined)
    field(spec, "features", (v) => Array.isArray(v) && v.every((f) => typeof f === "string"), "a list of column names");
  field(message, "estimator", isRecord, "a model spec { kind, params } or { kind: 'Pipeline', steps }");
  field(message, "scoring", (v) => typeof v === "string" && /^[a-z_0-9]{1,40}$/.test(v), "a scorer's name");
  const cv = field<Record<string, unknown>>(message, "cv", isRecord, "{ nSplits, shuffle, seed }");
  field(cv, "nSplits", (v) => isCount(v) && (v as number) >= 2, "a whole number >= 2");
  field(cv, "shuffle", (v) => typeof v === "boolean", "true or false");
  field(cv, "seed", (v) => Number.isInteger(v), "a whole number");
  field(message, "fold", (v) => isCount(v) && (v as number) < (cv.nSplits as number), `a fold number below ${cv.nSplits}`);
  field(message, "group", isCount, "a group number");
  const members = field<number[]>(
    message,
    "members",
    (v) => Array.isArray(v) && v.length >= 1 && v.length <= 100_000 && v.every(isCount),
    "a non-empty list of candidate numbers",
  );
  field(
    message,
    "params",
    (v) => Array.isArray(v) && v.length === members.length && v.every(isRecord),
    `${members.length} parameter objects (one per member)`,
  );
  if (message.task === "refit" && members.length !== 1) throw new ProtocolError("a refit task has one member");
  return message as unknown as SearchTaskMessage;
}

/**
 * BlockwiseLayer: the lazy layer whose task i applies one op to chunk i of each input (Dask's
 * Blockwise), with the checks of its inputs. Array operations make one per operation, never one
 * per chunk.
 */
import { ArgumentError, describe as describeValue } from "../errors.js";
import { checkInteger, checkOptions } from "../validate.js";
import { checkOpName } from "./checks.js";
import { bytesOf, bytesToken, chunkRead, inputLayer, validIndices, type BlockwiseInput, type ChunkBytes } from "./chunk-inputs.js";
import { uniqueName, type Key } from "./keys.js";
import { Layer } from "./layer.js";
import { fingerprint } from "./structure.js";
import type { ChunkTable } from "./tables.js";
import { ref, taskWithDeps, type Arg, type Task } from "./task.js";

/**
 * What is wrong with a blockwise input (undefined when nothing): a Layer, or an object with
 * `layer` (a Layer) and `chunkOf` (a ChunkTable), with `literal`, or with `perChunk` (a ChunkTable).
 */
function badInput(input: unknown): string | undefined {
  if (input instanceof Layer) return undefined;
  if (typeof input !== "object" || input === null) return describeValue(input);
  if ("literal" in input) return undefined;
  if ("layer" in input) {
    if (!(input.layer instanceof Layer)) return "an object whose layer is not a Layer";
    return isTable((input as { chunkOf?: unknown }).chunkOf) ? undefined : "an object with a layer but no chunkOf table";
  }
  if ("perChunk" in input) return isTable(input.perChunk) ? undefined : "an object whose perChunk is not a chunk table";
  return "an object with none of layer, literal, perChunk";
}

/** A chunk table (from chunkTable()): has a length and values by chunk. */
const isTable = (t: unknown): boolean =>
  typeof t === "object" && t !== null && typeof (t as ChunkTable).at === "function" && typeof (t as ChunkTable).length === "number";

const BLOCKWISE_OPTIONS = ["name", "chunks", "bytes"] as const;

/**
 * Task i is `op(a_0, a_1, ...)`, each argument from one input: chunk i of a layer (every layer
 * input must have as many chunks as this layer, or exactly one, broadcast to every task), the
 * chunk a table names, a literal, or a number per chunk from a table.
 */
export class BlockwiseLayer extends Layer {
  readonly op: string;
  readonly inputs: readonly BlockwiseInput[];
  readonly chunks: number;
  /** Bytes of each chunk's result, when known. */
  readonly chunkBytes: ChunkBytes | undefined;

  constructor(op: string, inputs: readonly BlockwiseInput[], options: { name?: string; chunks?: number; bytes?: ChunkBytes } = {}) {
    // O(inputs), once per layer (array code makes one per operation, never per chunk)
    checkOpName(op, "BlockwiseLayer");
    const where = `blockwise ${op}`;
    options = checkOptions(options, where, BLOCKWISE_OPTIONS);
    checkInteger(options.chunks, "chunks", where, 0);
    const expected = "a list of inputs (layers, { layer, chunkOf }, { literal }, { perChunk })";
    if (!Array.isArray(inputs)) throw new ArgumentError("inputs", expected, inputs, where);
    for (let i = 0; i < inputs.length; i++) {
      const bad = badInput(inputs[i]);
      if (bad !== undefined) throw new ArgumentError("inputs", expected, `${bad} at position ${i}`, where);
    }
    const plain = inputs.filter((i): i is Layer => i instanceof Layer);
    const chunks = options.chunks ?? Math.max(0, ...plain.map((l) => l.size));
    for (const l of plain) {
      if (l.size !== chunks && l.size !== 1) {
        throw new ArgumentError(
          "inputs",
          `layers of ${chunks} chunks (or 1, broadcast)`,
          `layer ${l.name} with ${l.size}`,
          `blockwise ${op}`,
        );
      }
    }
    for (const input of inputs) {
      if (input instanceof Layer || "literal" in input) continue;
      const table = "chunkOf" in input ? input.chunkOf : input.perChunk;
      if (table.length !== chunks)
        throw new ArgumentError("inputs", `tables of ${chunks} entries (one per chunk)`, `a table of ${table.length}`, `blockwise ${op}`);
      if ("chunkOf" in input && chunks > 0 && !validIndices(table, input.layer.size)) {
        throw new ArgumentError(
          "inputs",
          `chunk indices below ${input.layer.size} (layer ${input.layer.name})`,
          "a table with others",
          `blockwise ${op}`,
        );
      }
    }
    super(
      options.name ?? uniqueName(op),
      inputs.map(inputLayer).filter((l): l is Layer => l !== undefined),
    );
    this.op = op;
    this.inputs = inputs;
    this.chunks = chunks;
    this.chunkBytes = options.bytes;
  }

  get size(): number {
    return this.chunks;
  }

  /** Bytes of chunk i's result, when known. */
  bytes(i: number): number | undefined {
    return bytesOf(this.chunkBytes, i);
  }

  /** Chunk i's task. */
  taskAt(i: number): Task {
    const args: Arg[] = [];
    const deps: Key[] = [];
    for (const input of this.inputs) {
      const layer = inputLayer(input);
      if (layer) {
        const k = layer.keyAt(chunkRead(input, i));
        args.push(ref(k));
        if (!deps.includes(k)) deps.push(k);
      } else if ("literal" in input) {
        args.push(input.literal);
      } else {
        args.push((input as { perChunk: ChunkTable }).perChunk.at(i));
      }
    }
    const t = taskWithDeps(this.keyAt(i), this.op, args, deps);
    const bytes = this.bytes(i);
    return bytes === undefined ? t : { ...t, bytes };
  }

  *tasks(): Iterable<Task> {
    for (let i = 0; i < this.chunks; i++) yield this.taskAt(i);
  }

  protected describe(): string {
    let d = 0;
    const args = this.inputs.map((input) => {
      if (input instanceof Layer) return `L${d++}${input.size === 1 && this.chunks !== 1 ? "*" : ""}`;
      if ("chunkOf" in input) return `L${d++}@t${input.chunkOf.id}`;
      if ("literal" in input) return fingerprint(input.literal);
      return `c${input.perChunk.id}`;
    });
    return `B${JSON.stringify(this.op)}n${this.chunks}b${bytesToken(this.chunkBytes)}(${args.join(",")})`;
  }
}

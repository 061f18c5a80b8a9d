/** Errors about graphs: each names the keys involved. */
import { WeftError } from "../errors.js";
import { formatKey, type Key } from "./keys.js";

const list = (keys: readonly Key[], most = 8) =>
  keys.slice(0, most).map(formatKey).join(", ") + (keys.length > most ? `, ... (${keys.length} in all)` : "");

/** The graph is malformed: a cycle, a missing dependency, a duplicate key or an unknown op. */
export class GraphError extends WeftError {
  constructor(
    message: string,
    readonly keys: readonly Key[],
  ) {
    super(message);
  }

  static cycle(keys: readonly Key[]): GraphError {
    return new GraphError(`the graph has a cycle through ${list(keys)}`, keys);
  }

  static missing(task: Key, missing: readonly Key[]): GraphError {
    return new GraphError(`task ${formatKey(task)} depends on ${list(missing)}, which no task in the graph produces`, [task, ...missing]);
  }

  static duplicate(k: Key, where: string): GraphError {
    return new GraphError(`key ${formatKey(k)} is defined twice (${where})`, [k]);
  }

  static unknownOp(tasks: readonly Key[], op: string, known: readonly string[]): GraphError {
    const choices = known.length > 20 ? `${known.slice(0, 20).join(", ")}, ...` : known.join(", ");
    return new GraphError(`unknown op '${op}' in task ${list(tasks)}; registered ops: ${choices}`, tasks);
  }

  static missingOutput(keys: readonly Key[]): GraphError {
    return new GraphError(`requested output ${list(keys)} is not in the graph`, keys);
  }
}

/** What a computation rejects with when the scheduler, not a task, ends it. */
import { WeftError } from "../errors.js";
import type { Key } from "../graph/keys.js";

/** A worker thread died (process.exit, an uncaught error, out of memory) while running tasks. */
export class WorkerCrashedError extends WeftError {
  constructor(
    message: string,
    readonly lane: number,
    readonly key: Key | undefined,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The computation was cancelled: by its AbortSignal, or because the runtime closed. */
export class CancelledError extends WeftError {}

/**
 * What an aborted run rejects with: the reason given to abort(reason), or, when none was given
 * (the platform's default AbortError), a CancelledError with that as its cause.
 */
export function abortError(signal: AbortSignal): unknown {
  const reason: unknown = signal.reason;
  if (reason === undefined || (reason instanceof Error && reason.name === "AbortError"))
    return new CancelledError("aborted", { cause: reason });
  return reason;
}

/** A run took longer than its timeoutMs; names the limit. */
export class TimeoutError extends CancelledError {
  constructor(readonly timeoutMs: number) {
    super(`the computation took longer than its timeoutMs (${timeoutMs} ms): stopped; a worker inside one of its tasks was replaced`);
  }
}

/** A task asks for resources that no thread of the runtime has. */
export class ResourceError extends WeftError {}

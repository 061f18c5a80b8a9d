/** What can go wrong across machines: a malformed message, a failure of the cluster itself. */
import { WeftError } from "../errors.js";

/** A message that breaks the protocol: not JSON, an unknown op, a field of the wrong kind. */
export class ProtocolError extends WeftError {}

/**
 * The cluster could not do what was asked: no live worker, a worker that stopped answering
 * within the timeout, the server gone. Names the worker or the subject when it can.
 */
export class ClusterError extends WeftError {
  constructor(
    message: string,
    options?: ErrorOptions & {
      /** The worker that failed to answer, when one did. */
      worker?: string;
    },
  ) {
    super(message, options);
    this.worker = options?.worker;
  }

  /** The id of the worker that failed to answer, when one did. */
  readonly worker: string | undefined;
}

/** An error a worker replied with (its name and message, as the worker saw them). */
export class RemoteError extends WeftError {
  constructor(
    message: string,
    /** The error's name on the worker (ArgumentError, NonFiniteError, ...). */
    readonly remoteName: string,
    /** The worker that replied. */
    readonly worker: string,
  ) {
    super(message);
  }
}

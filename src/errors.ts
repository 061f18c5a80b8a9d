/**
 * The errors weft throws. Every error is a WeftError; each subclass carries the facts a caller
 * needs to react (the argument's name, the bytes asked for, ...) as fields, not only as text.
 */

/** Base class of every error weft throws on purpose. */
export class WeftError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** An argument was not what the function expects: names the argument, the expectation, and what came. */
export class ArgumentError extends WeftError {
  readonly argument: string;
  readonly expected: string;
  readonly received: unknown;

  constructor(argument: string, expected: string, received: unknown, context?: string) {
    const where = context ? `${context}: ` : "";
    super(`${where}argument '${argument}' must be ${expected}; received ${describe(received)}`);
    this.argument = argument;
    this.expected = expected;
    this.received = received;
  }
}

/** The shared memory cannot hold an allocation of the requested size, even after growing. */
export class OutOfMemoryError extends WeftError {
  readonly requestedBytes: number;
  readonly freeBytes: number;
  readonly maximumBytes: number;

  constructor(requestedBytes: number, freeBytes: number, largestFreeBlock: number, maximumBytes: number) {
    super(
      `out of shared memory: asked for ${requestedBytes} bytes, ${freeBytes} bytes free ` +
        `(largest contiguous ${largestFreeBlock}), configured maximum ${maximumBytes} bytes; ` +
        `free unused buffers or start with a larger memory.maximum`,
    );
    this.requestedBytes = requestedBytes;
    this.freeBytes = freeBytes;
    this.maximumBytes = maximumBytes;
  }
}

/** A backend cannot be used on this platform (no SIMD, no shared memory, missing wasm file). */
export class BackendUnavailableError extends WeftError {}

/** Short, bounded description of a received value for error messages. */
export function describe(value: unknown): string {
  if (typeof value === "number") return Number.isNaN(value) ? "NaN" : String(value);
  if (typeof value === "string") return JSON.stringify(value.length > 200 ? `${value.slice(0, 197)}...` : value);
  if (value === null || value === undefined) return String(value);
  if (typeof value === "bigint" || typeof value === "boolean") return String(value);
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(${(value as unknown as ArrayLike<unknown>).length})`;
  if (Array.isArray(value)) return `array of length ${value.length}`;
  if (typeof value === "function") return "a function";
  return `an object (${Object.prototype.toString.call(value).slice(8, -1)})`;
}

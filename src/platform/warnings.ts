/**
 * How weft warns: through process.emitWarning in Node, so that `--no-warnings`, `--trace-warnings`
 * and 'warning' listeners work as for any other library. A browser build replaces this module
 * (console.warn).
 */
// the shipped declarations name Node's types: this loads @types/node in a project whose tsconfig lists other `types`
/// <reference types="node" preserve="true" />

/** What a warning says beside its message: its type (the name shown) and a code to filter on. */
export interface WarningOptions {
  type?: string;
  code?: string;
}

/** Emits a warning (never throws). */
export function emitWarning(message: string, options: WarningOptions = {}): void {
  process.emitWarning(message, options);
}

/** How weft warns in the browser build: on the console, once per message as emitted. */
import type { WarningOptions as NodeWarningOptions } from "../warnings.js";

export type WarningOptions = NodeWarningOptions;

/** Emits a warning (never throws). */
export function emitWarning(message: string, options: WarningOptions = {}): void {
  console.warn(`${options.type ?? "Warning"}${options.code ? ` [${options.code}]` : ""}: ${message}`);
}

/**
 * Messages on the wire: JSON, with each Float64Array as the base64 of its bytes (little-endian,
 * as on every platform weft runs on), so that p-length vectors travel exactly and compactly. A
 * payload that is not such JSON is a ProtocolError, never a crash of the reader.
 */
import { ProtocolError } from "./errors.js";

const F64 = "$f64";

/** The bytes of a message. */
export function encode(message: unknown): Uint8Array {
  const text = JSON.stringify(message, (_key, value: unknown) =>
    value instanceof Float64Array ? { [F64]: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("base64") } : value,
  );
  return new TextEncoder().encode(text);
}

/** The message in `bytes`; a ProtocolError when they are not one. */
export function decode(bytes: Uint8Array): unknown {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new ProtocolError("a message that is not UTF-8 text");
  }
  try {
    return JSON.parse(text, (_key, value: unknown) => {
      if (
        value !== null &&
        typeof value === "object" &&
        !Array.isArray(value) &&
        typeof (value as Record<string, unknown>)[F64] === "string"
      ) {
        const raw = Buffer.from((value as Record<string, string>)[F64]!, "base64");
        if (raw.length % 8 !== 0) throw new ProtocolError(`a float64 vector of ${raw.length} bytes (not a multiple of 8)`);
        const out = new Float64Array(raw.length / 8);
        new Uint8Array(out.buffer).set(raw);
        return out;
      }
      return value;
    });
  } catch (error) {
    if (error instanceof ProtocolError) throw error;
    throw new ProtocolError(`a message that is not JSON (${(error as Error).message})`);
  }
}

/** `weft info`: what weft would run with on this machine. */
import { Kernels, BACKENDS, supportsSimd, type BackendName } from "../kernels/index.js";
import { DEFAULT_MAXIMUM_BYTES } from "../memory/index.js";
import { availableParallelism } from "../platform/threads.js";
import { VERSION } from "../version.js";

export interface Info {
  version: string;
  backend: BackendName;
  simd: boolean;
  threads: number;
  memoryMaxBytes: number;
}

export async function collectInfo(backend?: BackendName | "auto"): Promise<Info> {
  // Instantiating proves the backend really loads (its wasm file is present and valid).
  const kernels = await Kernels.create({ backend: backend ?? "auto", memory: { initial: 1 << 16, maximum: 1 << 20 } });
  return {
    version: VERSION,
    backend: kernels.backend,
    simd: supportsSimd(),
    threads: availableParallelism(),
    memoryMaxBytes: DEFAULT_MAXIMUM_BYTES,
  };
}

const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(bytes % 2 ** 30 ? 2 : 0)} GiB`;

export function formatInfo(info: Info): string {
  return [
    `weft ${info.version}`,
    `backend      ${info.backend} (available: ${BACKENDS.join(", ")})`,
    `simd         ${info.simd ? "yes" : "no"}`,
    `threads      ${info.threads}`,
    `memory max   ${gib(info.memoryMaxBytes)} (${info.memoryMaxBytes} bytes)`,
  ].join("\n");
}

/**
 * The benchmarks' optional peers: packages only the benchmarks use (tinybench, the timing
 * harness; piscina, the message-passing pool weft is compared with) are not dependencies of
 * weftjs but optional peer dependencies. Each is imported on first use; when it is absent the
 * measurement that needs it says "not installed", as the TensorFlow.js peer does, and the rest
 * of the suite runs.
 */

/** Why a measurement was not made: the peer it needs is not installed. */
export interface Missing {
  missing: string;
}

/**
 * A package imported by name, or Missing saying how to install it. The specifier is a variable so
 * that TypeScript and bundlers do not require the package at build time; `load` is injectable
 * for tests.
 */
export async function optionalPeer<M>(name: string, load: (name: string) => Promise<unknown> = (n) => import(n)): Promise<M | Missing> {
  try {
    return (await load(name)) as M;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND")
      return { missing: `${name} not installed (npm install ${name}; it is an optional peer of weftjs, used only by the benchmarks)` };
    throw error;
  }
}

export const isMissing = (v: unknown): v is Missing =>
  typeof v === "object" && v !== null && "missing" in v && typeof (v as Missing).missing === "string";

/**
 * The kernel conformance suite as a page runs it (bundled for the browser by test/browser.test.ts):
 * every kernel of the wasm-simd and wasm-scalar backends against the js reference, in Chromium.
 */
import { Kernels, KERNEL_NAMES, KERNEL_SPECS } from "../../src/kernels/index.js";
import { kernelDisagreements, NAN_FAMILIES } from "../helpers/conformance.js";

const MEMORY = { initial: 64 * 1024 * 1024, maximum: 1024 * 1024 * 1024 };

/** Runs every check; returns how many ran, on which backends, and the disagreements. */
export async function runConformance(): Promise<{ checks: number; backends: string[]; failures: string[] }> {
  const reference = await Kernels.create({ backend: "js", memory: MEMORY });
  const subjects = [
    await Kernels.create({ backend: "wasm-simd", memory: MEMORY }),
    await Kernels.create({ backend: "wasm-scalar", memory: MEMORY }),
  ];
  const failures: string[] = [];
  let checks = 0;
  for (const name of KERNEL_NAMES) {
    for (const subject of subjects) {
      for (const specials of NAN_FAMILIES.has(KERNEL_SPECS[name].family) ? [false, true] : [false]) {
        failures.push(...kernelDisagreements(reference, subject, subject.backend, name, KERNEL_SPECS[name], specials));
        checks += 1;
      }
    }
  }
  return { checks, backends: subjects.map((s) => s.backend), failures };
}

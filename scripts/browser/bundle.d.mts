/** Types of bundle.mjs, for the tests that bundle pages with it. */
export interface Metafile {
  outputs: Record<string, { bytes: number; imports: { path: string; kind: string }[] }>;
}
export const root: string;
export function bundleForBrowser(entryPoints: Record<string, string>, outdir: string, options?: { minify?: boolean; keep?: boolean; selfContained?: boolean }): Promise<Metafile>;
export function staticClosure(metafile: Metafile, entries: readonly string[]): string[];

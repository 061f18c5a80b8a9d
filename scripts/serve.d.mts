/** Types of serve.mjs, for the tests that serve pages with it. */
export function serve(options?: { root?: string; port?: number; isolated?: boolean }): Promise<{ url: string; close(): Promise<void> }>;

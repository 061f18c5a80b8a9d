/**
 * Every export of the package's entry points has a doc comment: the API reference (`npm run
 * docs`, TypeDoc) is generated from them, so an undocumented export is a hole in the reference.
 */
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { expect, it } from "vitest";

const root = resolve(fileURLToPath(new URL("..", import.meta.url)));
const ENTRY_POINTS = ["src/index.ts", "src/memory/index.ts", "src/kernels/index.ts", "src/cluster/index.ts"];

/** Exports of `entry` (followed through re-exports) that have no doc comment on any declaration. */
function undocumentedExports(program: ts.Program, entry: string): string[] {
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(resolve(root, entry))!;
  const moduleSymbol = checker.getSymbolAtLocation(source)!;
  const missing: string[] = [];
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const documented =
      symbol.getDocumentationComment(checker).length > 0 ||
      (symbol.declarations ?? []).some((d) => ts.getJSDocCommentsAndTags(d).length > 0);
    if (!documented) missing.push(exported.name);
  }
  return missing.sort();
}

it("every export of every entry point has a doc comment", () => {
  const config = ts.getParsedCommandLineOfConfigFile(
    resolve(root, "tsconfig.build.json"),
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} },
  )!;
  const program = ts.createProgram(
    ENTRY_POINTS.map((e) => resolve(root, e)),
    { ...config.options, noEmit: true },
  );
  for (const entry of ENTRY_POINTS) {
    expect({ entry, undocumented: undocumentedExports(program, entry) }).toEqual({ entry, undocumented: [] });
  }
}, 60_000);

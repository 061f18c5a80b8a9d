/**
 * The public surface of the package as a text report: every name each entry exports, its
 * kind, and its signature (a function's parameters and result, a class's constructor and public
 * members, a constant's type), sorted by name. docs/api-report.md holds the committed report;
 * test/api-report.test.ts checks it matches the code, so every change to the surface shows in a
 * diff. `npm run api:report` (that test with -u) writes it anew.
 */
import ts from "typescript";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const FLAGS =
  ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.UseSingleQuotesForStringLiteralType | ts.TypeFormatFlags.WriteArrowStyleSignature;

/** One line (or a short block) per export. */
function describeSymbol(checker: ts.TypeChecker, symbol: ts.Symbol, at: ts.Node): string {
  const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
  const name = symbol.getName();
  const flags = target.flags;
  if (flags & ts.SymbolFlags.Class) {
    const type = checker.getTypeOfSymbolAtLocation(target, at);
    const ctor = type.getConstructSignatures().map((s) => `  new ${checker.signatureToString(s, at, FLAGS)}`);
    const instance = checker.getDeclaredTypeOfSymbol(target);
    const members = checker
      .getPropertiesOfType(instance)
      .filter((m) => !isPrivate(m))
      .map((m) => `  ${m.getName()}: ${checker.typeToString(checker.getTypeOfSymbolAtLocation(m, at), at, FLAGS)}`)
      .sort();
    const statics = checker
      .getPropertiesOfType(type)
      .filter((m) => m.getName() !== "prototype" && !isPrivate(m))
      .map((m) => `  static ${m.getName()}: ${checker.typeToString(checker.getTypeOfSymbolAtLocation(m, at), at, FLAGS)}`)
      .sort();
    return [`class ${name}`, ...ctor, ...statics, ...members].join("\n");
  }
  if (flags & ts.SymbolFlags.Function) {
    const type = checker.getTypeOfSymbolAtLocation(target, at);
    return type
      .getCallSignatures()
      .map((s) => `function ${name}${checker.signatureToString(s, at, FLAGS)}`)
      .join("\n");
  }
  if (flags & (ts.SymbolFlags.Variable | ts.SymbolFlags.Property)) {
    return `const ${name}: ${checker.typeToString(checker.getTypeOfSymbolAtLocation(target, at), at, FLAGS)}`;
  }
  if (flags & ts.SymbolFlags.Interface) {
    const type = checker.getDeclaredTypeOfSymbol(target);
    const members = checker
      .getPropertiesOfType(type)
      .map((m) => {
        const optional = m.flags & ts.SymbolFlags.Optional ? "?" : "";
        return `  ${m.getName()}${optional}: ${checker.typeToString(checker.getTypeOfSymbolAtLocation(m, at), at, FLAGS)}`;
      })
      .sort();
    return [`interface ${name}`, ...members].join("\n");
  }
  if (flags & ts.SymbolFlags.TypeAlias) {
    return `type ${name} = ${checker.typeToString(checker.getDeclaredTypeOfSymbol(target), at, FLAGS | ts.TypeFormatFlags.InTypeAlias)}`;
  }
  return `${name} (${ts.SymbolFlags[flags] ?? flags})`;
}

function isPrivate(symbol: ts.Symbol): boolean {
  const decl = symbol.valueDeclaration ?? symbol.declarations?.[0];
  if (!decl) return false;
  const modifiers = ts.canHaveModifiers(decl) ? (ts.getModifiers(decl) ?? []) : [];
  if (modifiers.some((m) => m.kind === ts.SyntaxKind.PrivateKeyword || m.kind === ts.SyntaxKind.ProtectedKeyword)) return true;
  // @internal members are not part of the surface either
  return ts.getJSDocTags(decl).some((t) => t.tagName.text === "internal") || symbol.getName().startsWith("#");
}

/** The package's entries users import (package.json "exports"; weftjs/bench is the benchmarks' entry, not an API). */
export const ENTRIES: readonly (readonly [string, string])[] = [
  ["weftjs", "src/index.ts"],
  ["weftjs/graph", "src/graph/index.ts"],
  ["weftjs/kernels", "src/kernels/index.ts"],
  ["weftjs/memory", "src/memory/index.ts"],
  ["weftjs/cluster", "src/cluster/index.ts"],
];

/** The report for every entry (Markdown: a heading, then one section with a fenced block each). */
export function apiReport(): string {
  const config = ts.getParsedCommandLineOfConfigFile(
    `${ROOT}tsconfig.json`,
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} },
  );
  const files = ENTRIES.map(([, path]) => `${ROOT}${path}`);
  const program = ts.createProgram(files, { ...config!.options, noEmit: true });
  const checker = program.getTypeChecker();
  const sections = ENTRIES.map(([name, path]) => {
    const source = program.getSourceFile(`${ROOT}${path}`)!;
    const moduleSymbol = checker.getSymbolAtLocation(source)!;
    const exports = checker.getExportsOfModule(moduleSymbol).sort((a, b) => a.getName().localeCompare(b.getName()));
    // types from modules the entry does not import by name print as import("/abs/path").Name:
    // the name alone, so that the report does not depend on where the repository is
    // and well-known symbols print with a program-specific id (__@asyncDispose@2994): [Symbol.asyncDispose]
    const blocks = exports.map((s) =>
      describeSymbol(checker, s, source)
        .replace(/import\("[^"]*"\)\./g, "")
        .replace(/__@(\w+)@\d+/g, "[Symbol.$1]"),
    );
    return [`## ${name}`, "", `${exports.length} exports (${path}).`, "", "```ts", blocks.join("\n\n"), "```", ""].join("\n");
  });
  return [
    "# The public API of weft",
    "",
    "Every name each of the package's entries exports, with its signature: the root entry `weftjs`",
    "for programs, and the lower-level doors `weftjs/graph`, `weftjs/kernels` and `weftjs/memory`.",
    "Generated by `npm run api:report` (test/helpers/api-report.ts); test/api-report.test.ts fails",
    "when the code and this page differ, so a change to the surface is always a visible change here.",
    "",
    ...sections,
  ].join("\n");
}

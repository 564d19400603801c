// The import graph of src/ and the checks that keep Pantau's layering (test/architecture.test.ts).
//
// The graph is read with the TypeScript compiler API (syntax only, no type checking): every
// `import … from`, `export … from`, `import("…")` and `require("…")` of every .ts/.tsx file.
// Type-only imports (`import type`, or every named element marked `type`) are edges too and
// carry `typeOnly`: a type-only dependency still couples two modules, so the cycle and layer
// checks count it; only the report says which kind it is.
//
// The checks are pure functions of a graph, so that each can be tested on a small fixture graph
// (the test builds graphs by hand and checks that every rule fails when it should).
import fs from "node:fs";
import path from "node:path";
import ts from "typescript";

/** A path relative to src/, with "/" separators ("core/sla/clocks.ts"). */
export type ModulePath = string;

export interface ImportRef {
  /** The specifier as written ("../core/types.js", "luxon"). */
  specifier: string;
  /** The module inside src/ it resolves to; null for packages and Node built-ins. */
  target: ModulePath | null;
  typeOnly: boolean;
  line: number;
}

/** A read of the wall clock (Date.now(), new Date(), ...) at a line. */
export interface ClockRead {
  line: number;
  text: string;
}

export interface ModuleInfo {
  path: ModulePath;
  imports: ImportRef[];
  clockReads: ClockRead[];
}

export type ImportGraph = Map<ModulePath, ModuleInfo>;

// ---- reading ----------------------------------------------------------------------------------

/** True when every named element is marked `type` (and there is at least one). */
function allTypeOnly(elements: readonly { isTypeOnly: boolean }[] | undefined): boolean {
  return elements !== undefined && elements.length > 0 && elements.every((e) => e.isTypeOnly);
}

function isTypeOnlyImport(node: ts.ImportDeclaration | ts.ExportDeclaration): boolean {
  if (ts.isExportDeclaration(node)) {
    const clause = node.exportClause;
    return (
      node.isTypeOnly ||
      (clause !== undefined && ts.isNamedExports(clause) && allTypeOnly(clause.elements))
    );
  }
  const clause = node.importClause;
  if (!clause) return false; // `import "x"`: a side effect, never type-only.
  if (clause.isTypeOnly) return true;
  if (clause.name) return false;
  const bindings = clause.namedBindings;
  return bindings !== undefined && ts.isNamedImports(bindings) && allTypeOnly(bindings.elements);
}

/** The clock reads in a call or `new` expression, or null. */
function clockReadOf(node: ts.Node): string | null {
  if (ts.isNewExpression(node)) {
    const callee = node.expression.getText();
    return callee === "Date" && (node.arguments?.length ?? 0) === 0 ? "new Date()" : null;
  }
  if (!ts.isCallExpression(node)) return null;
  const callee = node.expression.getText();
  if (callee === "Date") return "Date()";
  if (
    callee === "Date.now" ||
    callee === "performance.now" ||
    callee === "DateTime.now" ||
    callee === "process.hrtime" ||
    callee === "process.hrtime.bigint"
  ) {
    return `${callee}()`;
  }
  if ((callee === "DateTime.local" || callee === "DateTime.utc") && node.arguments.length === 0) {
    return `${callee}()`;
  }
  return null;
}

/**
 * Parses one module. `resolve` maps a relative specifier (from this module) to a module of the
 * graph, or null when nothing matches (a broken import: the compiler reports those).
 */
export function parseModule(
  modulePath: ModulePath,
  text: string,
  resolve: (from: ModulePath, specifier: string) => ModulePath | null,
): ModuleInfo {
  const kind = modulePath.endsWith(".tsx") ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
  const sf = ts.createSourceFile(modulePath, text, ts.ScriptTarget.Latest, true, kind);
  const imports: ImportRef[] = [];
  const clockReads: ClockRead[] = [];
  const lineOf = (node: ts.Node): number =>
    sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
  const add = (specifier: string, typeOnly: boolean, node: ts.Node): void => {
    const target = specifier.startsWith(".") ? resolve(modulePath, specifier) : null;
    imports.push({ specifier, target, typeOnly, line: lineOf(node) });
  };
  const visit = (node: ts.Node): void => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      add(node.moduleSpecifier.text, isTypeOnlyImport(node), node);
    } else if (ts.isImportEqualsDeclaration(node)) {
      const ref = node.moduleReference;
      if (ts.isExternalModuleReference(ref) && ts.isStringLiteral(ref.expression)) {
        add(ref.expression.text, node.isTypeOnly, node);
      }
    } else if (ts.isCallExpression(node)) {
      const [arg] = node.arguments;
      const dynamic =
        node.expression.kind === ts.SyntaxKind.ImportKeyword ||
        (ts.isIdentifier(node.expression) && node.expression.text === "require");
      if (dynamic && arg && ts.isStringLiteralLike(arg)) add(arg.text, false, node);
    } else if (ts.isImportTypeNode(node)) {
      // `import("./x.js").T` in a type position.
      const arg = node.argument;
      if (ts.isLiteralTypeNode(arg) && ts.isStringLiteral(arg.literal)) {
        add(arg.literal.text, true, node);
      }
    }
    const read = clockReadOf(node);
    if (read) clockReads.push({ line: lineOf(node), text: read });
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return { path: modulePath, imports, clockReads };
}

/** Resolves "./x.js" against the known modules: x.ts, x.tsx, x/index.ts. */
export function resolver(known: ReadonlySet<ModulePath>) {
  return (from: ModulePath, specifier: string): ModulePath | null => {
    const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
    const stem = base.replace(/\.(js|jsx|ts|tsx|mjs)$/, "");
    for (const candidate of [
      `${stem}.ts`,
      `${stem}.tsx`,
      `${stem}/index.ts`,
      `${stem}/index.tsx`,
    ]) {
      if (known.has(candidate)) return candidate;
    }
    return null;
  };
}

function listModules(root: string, dir = ""): ModulePath[] {
  const out: ModulePath[] = [];
  for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = dir === "" ? entry.name : `${dir}/${entry.name}`;
    if (entry.isDirectory()) out.push(...listModules(root, rel));
    else if (/\.tsx?$/.test(entry.name) && !entry.name.endsWith(".d.ts")) out.push(rel);
  }
  return out;
}

/** The import graph of every .ts/.tsx module under `root` (src/). */
export function readImportGraph(root: string): ImportGraph {
  const paths = listModules(root).sort();
  const resolve = resolver(new Set(paths));
  const graph: ImportGraph = new Map();
  for (const p of paths) {
    graph.set(p, parseModule(p, fs.readFileSync(path.join(root, p), "utf8"), resolve));
  }
  return graph;
}

// ---- checks -------------------------------------------------------------------------------------

/** The folder of a module at the top of src/: "core", "scan"; a file at the top: "log", "paths". */
export function topFolder(p: ModulePath): string {
  const slash = p.indexOf("/");
  return slash < 0 ? p.replace(/\.tsx?$/, "") : p.slice(0, slash);
}

/**
 * The subfolder at `depth` segments ("core/sla" at depth 2), or null for a module directly in a
 * folder of depth - 1: a folder's own files may use its subfolders and be used by them
 * (web/routes.tsx registers web/pages/*, which use web/format.ts); its subfolders may not form a
 * cycle among themselves.
 */
export function subfolderAt(depth: number) {
  return (p: ModulePath): string | null => {
    const parts = p.split("/");
    return parts.length > depth ? parts.slice(0, depth).join("/") : null;
  };
}

/** Strongly connected components with more than one node (or a node importing itself). */
export function cyclesOf(
  nodes: Iterable<string>,
  edges: (n: string) => Iterable<string>,
): string[][] {
  // Tarjan's algorithm, iterative enough for a few hundred modules (recursion depth = path length).
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const strong = (v: string): void => {
    indices.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of edges(v)) {
      if (!indices.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, indices.get(w)!));
      }
    }
    if (low.get(v) === indices.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      const selfLoop = component.length === 1 && [...edges(v)].includes(v);
      if (component.length > 1 || selfLoop) out.push(component.sort());
    }
  };
  for (const n of nodes) if (!indices.has(n)) strong(n);
  return out;
}

/** Import cycles between modules (type-only imports included). */
export function moduleCycles(graph: ImportGraph): string[][] {
  return cyclesOf(graph.keys(), (n) =>
    (graph.get(n)?.imports ?? []).flatMap((i) => (i.target === null ? [] : [i.target])),
  );
}

/** Cycles between folders, grouping modules by `folderOf` (null: the module is left out). */
export function folderCycles(
  graph: ImportGraph,
  folderOf: (p: ModulePath) => string | null,
): string[][] {
  const edges = new Map<string, Set<string>>();
  for (const m of graph.values()) {
    const from = folderOf(m.path);
    if (from === null) continue;
    const set = edges.get(from) ?? new Set<string>();
    edges.set(from, set);
    for (const i of m.imports) {
      if (i.target === null) continue;
      const to = folderOf(i.target);
      if (to !== null && to !== from) set.add(to);
    }
  }
  return cyclesOf(edges.keys(), (n) => edges.get(n) ?? []);
}

function describe(m: ModuleInfo, i: ImportRef): string {
  return `${m.path}:${i.line} imports ${i.target ?? i.specifier}${i.typeOnly ? " (type only)" : ""}`;
}

export interface CoreRules {
  /** Folder of the pure core ("core"). */
  core: string;
  /** Folders of Pantau the core may import besides itself ("i18n"). */
  allowedFolders: readonly string[];
  /** Packages the core may import: pure libraries only (luxon; node:crypto for hashing). */
  allowedPackages: readonly string[];
}

/** The core imports only itself, `allowedFolders` and `allowedPackages`, and never reads the clock. */
export function coreViolations(graph: ImportGraph, rules: CoreRules): string[] {
  const out: string[] = [];
  for (const m of graph.values()) {
    if (topFolder(m.path) !== rules.core) continue;
    for (const i of m.imports) {
      if (i.target !== null) {
        const folder = topFolder(i.target);
        if (folder !== rules.core && !rules.allowedFolders.includes(folder)) {
          out.push(`${describe(m, i)}: the core imports only itself and ${rules.allowedFolders}`);
        }
      } else if (i.specifier.startsWith(".")) {
        out.push(`${describe(m, i)}: outside src/`);
      } else if (!rules.allowedPackages.includes(i.specifier)) {
        out.push(`${describe(m, i)}: the core is pure (no I/O packages)`);
      }
    }
    for (const r of m.clockReads) {
      out.push(
        `${m.path}:${r.line} reads the clock (${r.text}): \`now\` is an argument in the core`,
      );
    }
  }
  return out;
}

/**
 * Layers from the bottom up; each entry lists folders of one layer. A module may import its own
 * folder and folders of lower layers only (folders of one layer are independent of each other).
 * Every top folder of the graph must be in exactly one layer.
 */
export type Layers = readonly (readonly string[])[];

export function layerViolations(graph: ImportGraph, layers: Layers): string[] {
  const rank = new Map<string, number>();
  const out: string[] = [];
  layers.forEach((folders, i) => {
    for (const f of folders) {
      if (rank.has(f)) out.push(`folder ${f} is in two layers`);
      rank.set(f, i);
    }
  });
  const seen = new Set<string>();
  for (const m of graph.values()) {
    const from = topFolder(m.path);
    const fromRank = rank.get(from);
    if (fromRank === undefined) {
      if (!seen.has(from)) out.push(`folder ${from} is in no layer: add it to the layers`);
      seen.add(from);
      continue;
    }
    for (const i of m.imports) {
      if (i.target === null) continue;
      const to = topFolder(i.target);
      const toRank = rank.get(to);
      if (to === from || toRank === undefined) continue;
      if (toRank >= fromRank) {
        const how = toRank === fromRank ? "a folder of the same layer" : "a higher layer";
        out.push(`${describe(m, i)}: ${from} may not import ${to} (${how})`);
      }
    }
  }
  return out;
}

/** A rule on single modules: `from` modules may import `to` modules only if `allowed`. */
export interface ModuleRule {
  name: string;
  /** Which imports the rule looks at. */
  applies(from: ModulePath, ref: ImportRef): boolean;
  /** Modules allowed to make such an import (each allowed module with the reason in the rule). */
  allowed: readonly ModulePath[];
}

export function moduleRuleViolations(graph: ImportGraph, rules: readonly ModuleRule[]): string[] {
  const out: string[] = [];
  for (const m of graph.values()) {
    for (const i of m.imports) {
      for (const rule of rules) {
        if (rule.applies(m.path, i) && !rule.allowed.some((a) => matches(m.path, a))) {
          out.push(`${describe(m, i)}: ${rule.name}`);
        }
      }
    }
  }
  return out;
}

/** "outbox/" matches every module of the folder; anything else matches one module exactly. */
export function matches(p: ModulePath, pattern: string): boolean {
  return pattern.endsWith("/") ? p.startsWith(pattern) : p === pattern;
}

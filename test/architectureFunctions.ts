// Function lengths of src/ for the longest-function guard of test/architecture.test.ts.
//
// A function is a declaration, method, constructor, accessor, function expression or arrow
// function; its length counts the lines from its first to its last token, comments and blank
// lines inside included, nested functions included (each nested one is measured on its own too).
import fs from "node:fs";
import path from "node:path";
import ts from "typescript";

export interface FunctionLength {
  /** Path relative to src/ ("api/routes.ts"). */
  file: string;
  /** "registerApiRoutes", "Replay.apply", "<anonymous in registerPageRoutes>". */
  name: string;
  line: number;
  lines: number;
}

type FunctionNode =
  | ts.FunctionDeclaration
  | ts.MethodDeclaration
  | ts.ConstructorDeclaration
  | ts.GetAccessorDeclaration
  | ts.SetAccessorDeclaration
  | ts.FunctionExpression
  | ts.ArrowFunction;

function isFunction(node: ts.Node): node is FunctionNode {
  return (
    ts.isFunctionDeclaration(node) ||
    ts.isMethodDeclaration(node) ||
    ts.isConstructorDeclaration(node) ||
    ts.isGetAccessorDeclaration(node) ||
    ts.isSetAccessorDeclaration(node) ||
    ts.isFunctionExpression(node) ||
    ts.isArrowFunction(node)
  );
}

/** The name people would search for; anonymous functions are named after the enclosing one. */
function nameOf(node: FunctionNode, enclosing: string | null): string {
  const owner = ts.isClassLike(node.parent) && node.parent.name ? `${node.parent.name.text}.` : "";
  if (ts.isConstructorDeclaration(node)) return `${owner}constructor`;
  if (node.name && (ts.isIdentifier(node.name) || ts.isStringLiteral(node.name))) {
    return `${owner}${node.name.text}`;
  }
  const parent = node.parent;
  if (
    (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)) &&
    ts.isIdentifier(parent.name)
  ) {
    return parent.name.text;
  }
  if (ts.isPropertyDeclaration(parent) && ts.isIdentifier(parent.name)) {
    return `${owner}${parent.name.text}`;
  }
  return enclosing ? `<anonymous in ${enclosing}>` : "<anonymous>";
}

/** Every function of one module with its length in lines. */
export function measureFunctions(file: string, text: string): FunctionLength[] {
  const kind = file.endsWith(".tsx") ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, kind);
  const out: FunctionLength[] = [];
  const visit = (node: ts.Node, enclosing: string | null): void => {
    let inside = enclosing;
    if (isFunction(node)) {
      const first = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
      const last = sf.getLineAndCharacterOfPosition(node.getEnd()).line;
      const name = nameOf(node, enclosing);
      out.push({ file, name, line: first + 1, lines: last - first + 1 });
      if (!name.startsWith("<anonymous")) inside = name;
    }
    ts.forEachChild(node, (child) => visit(child, inside));
  };
  visit(sf, null);
  return out;
}

/** Every function of every .ts/.tsx module under `root` (src/). */
export function measureTree(root: string, dir = ""): FunctionLength[] {
  const out: FunctionLength[] = [];
  for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = dir === "" ? entry.name : `${dir}/${entry.name}`;
    if (entry.isDirectory()) out.push(...measureTree(root, rel));
    else if (/\.tsx?$/.test(entry.name) && !entry.name.endsWith(".d.ts")) {
      out.push(...measureFunctions(rel, fs.readFileSync(path.join(root, rel), "utf8")));
    }
  }
  return out;
}

export interface LongFunctionAllowance {
  file: string;
  name: string;
  /** The most lines it may have: its length when listed, so that it cannot grow. */
  upTo: number;
  reason: string;
}

export interface LengthRules {
  /** Lines a function may have everywhere. */
  maxLines: number;
  /** A lower limit for modules already split into named steps ("api/routes.ts", "core/sla/"). */
  strict: { maxLines: number; modules: readonly string[] };
  allowed: readonly LongFunctionAllowance[];
}

/**
 * Functions over their limit and not allowed (or grown past their allowance), and allowances
 * that are stale: the function is gone or back under the limit (remove it from the list).
 */
export function lengthViolations(
  functions: readonly FunctionLength[],
  rules: LengthRules,
): string[] {
  const out: string[] = [];
  const used = new Set<LongFunctionAllowance>();
  const strict = (file: string): boolean =>
    rules.strict.modules.some((m) => (m.endsWith("/") ? file.startsWith(m) : file === m));
  for (const f of functions) {
    const limit = strict(f.file) ? rules.strict.maxLines : rules.maxLines;
    if (f.lines <= limit) continue;
    const allowance = rules.allowed.find((a) => a.file === f.file && a.name === f.name);
    const where = `${f.file}:${f.line} ${f.name} has ${f.lines} lines`;
    if (!allowance) {
      out.push(`${where} (limit ${limit}): break it into named steps`);
    } else {
      used.add(allowance);
      if (f.lines > allowance.upTo)
        out.push(`${where}, more than its allowance of ${allowance.upTo}`);
    }
  }
  for (const a of rules.allowed) {
    if (!used.has(a))
      out.push(`${a.file} ${a.name} is allowed but not over the limit: remove it from the list`);
  }
  return out;
}

// Reading one YAML file of the config directory, with line numbers for every key path.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from "yaml";
import type { ConfigIssue } from "./issues.js";

export interface YamlFile {
  /** Path relative to the config directory, "/"-separated. */
  rel: string;
  /** The plain JavaScript value of the document (null for an empty file). */
  data: unknown;
  /** 1-based line of the deepest existing node on `path` (a map key's own line), if any. */
  lineOf(path: readonly PropertyKey[]): number | undefined;
}

/**
 * Reads and parses `rel` under `dir`. Returns undefined (after pushing issues) when the file is
 * missing or is not valid YAML.
 */
export function readYamlFile(
  dir: string,
  rel: string,
  issues: ConfigIssue[],
): YamlFile | undefined {
  let text: string;
  try {
    text = readFileSync(join(dir, rel), "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    issues.push({
      file: rel,
      key: "",
      severity: "error",
      message:
        code === "ENOENT"
          ? {
              id: `berkas tidak ditemukan di ${dir}: salin dari config/ bawaan Pantau atau periksa PANTAU_CONFIG_DIR`,
              en: `file not found in ${dir}: copy it from Pantau's shipped config/ or check PANTAU_CONFIG_DIR`,
            }
          : {
              id: `berkas tidak dapat dibaca (${code ?? String(err)}): periksa hak aksesnya`,
              en: `cannot read the file (${code ?? String(err)}): check its permissions`,
            },
    });
    return undefined;
  }
  return parseYamlText(rel, text, issues);
}

/** Parses YAML text; pushes one issue per syntax error (with its line) and returns undefined then. */
export function parseYamlText(
  rel: string,
  text: string,
  issues: ConfigIssue[],
): YamlFile | undefined {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    for (const err of doc.errors) {
      const line = lineCounter.linePos(err.pos[0]).line;
      const detail = err.message.split("\n")[0] ?? err.code;
      issues.push({
        file: rel,
        key: "",
        line,
        severity: "error",
        message: {
          id: `sintaks YAML tidak valid (${err.code}): ${detail}. Periksa indentasi (spasi, bukan tab), titik dua dan tanda kutip di sekitar baris ${line}`,
          en: `invalid YAML syntax (${err.code}): ${detail}. Check indentation (spaces, not tabs), colons and quotes around line ${line}`,
        },
      });
    }
    return undefined;
  }
  return {
    rel,
    data: doc.toJS({ maxAliasCount: 100 }) as unknown,
    lineOf: (path) => lineOfPath(doc, lineCounter, path),
  };
}

function lineOfPath(
  doc: Document,
  counter: LineCounter,
  path: readonly PropertyKey[],
): number | undefined {
  let node: unknown = doc.contents;
  let best: Node | undefined = isNode(node) ? node : undefined;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) break;
      if (isNode(pair.key)) best = pair.key;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === "number") {
      const item: unknown = node.items[seg];
      if (!isNode(item)) break;
      best = item;
      node = item;
    } else {
      break;
    }
  }
  const offset = best?.range?.[0];
  return offset === undefined ? undefined : counter.linePos(offset).line;
}

function isNode(value: unknown): value is Node {
  return typeof value === "object" && value !== null && "range" in value;
}

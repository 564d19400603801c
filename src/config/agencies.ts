// The agency directory of config/agencies.yaml: the key codes, names and aliases are compared by,
// a lookup by any of them, and the check that no two agencies share a code, name or alias.
import type { Agency } from "../core/types.js";
import type { ConfigIssue } from "./issues.js";
import type { YamlFile } from "./yamlFile.js";
import { asArray, asRecord, err } from "./read.js";

/** Key used to compare codes, names and aliases: lowercase, dots/dashes/underscores as spaces. */
export function normalizeAgencyKey(text: string): string {
  return text
    .toLowerCase()
    .replace(/[._\-,]+/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/** Finds an agency by code, name or alias (see normalizeAgencyKey). */
export function agencyLookup(agencies: readonly Agency[]): (text: string) => Agency | undefined {
  const index = new Map<string, Agency>();
  for (const a of agencies) {
    for (const key of [a.code, a.name, ...a.aliases]) {
      const k = normalizeAgencyKey(key);
      if (!index.has(k)) index.set(k, a);
    }
  }
  return (text) => index.get(normalizeAgencyKey(text));
}

export function checkAgencyDuplicates(file: YamlFile, issues: ConfigIssue[]): void {
  const codes = new Map<string, number>();
  const keys = new Map<string, { index: number; what: string; value: string }>();
  asArray(asRecord(file.data).agencies).forEach((item, i) => {
    const a = asRecord(item);
    if (typeof a.code === "string") {
      const first = codes.get(a.code);
      if (first !== undefined) {
        issues.push(
          err(file, ["agencies", i, "code"], {
            id: `kode ${JSON.stringify(a.code)} sudah dipakai oleh agencies[${first}]: setiap perangkat daerah perlu kode yang unik`,
            en: `code ${JSON.stringify(a.code)} is already used by agencies[${first}]: every agency needs a unique code`,
          }),
        );
      } else codes.set(a.code, i);
    }
    const seen = new Set<string>();
    const candidates: Array<{ path: PropertyKey[]; value: unknown }> = [
      { path: ["agencies", i, "code"], value: a.code },
      { path: ["agencies", i, "name"], value: a.name },
      ...asArray(a.aliases).map((v, k) => ({ path: ["agencies", i, "aliases", k], value: v })),
    ];
    for (const { path, value } of candidates) {
      if (typeof value !== "string" || value.trim() === "") continue;
      const k = normalizeAgencyKey(value);
      if (seen.has(k)) continue;
      seen.add(k);
      const other = keys.get(k);
      if (other !== undefined && other.index !== i) {
        // Two identical codes are already reported above.
        if (path[2] === "code" && other.what === "code" && other.value === value) continue;
        issues.push(
          err(file, path, {
            id: `${JSON.stringify(value)} sama dengan ${other.what} agencies[${other.index}]: nama dan alias harus menunjuk satu perangkat daerah saja; hapus atau ubah salah satunya`,
            en: `${JSON.stringify(value)} clashes with the ${other.what} of agencies[${other.index}]: names and aliases must point to a single agency; remove or change one of them`,
          }),
        );
      } else if (other === undefined) {
        keys.set(k, { index: i, what: path[2] === "aliases" ? "alias" : String(path[2]), value });
      }
    }
  });
}

// Matching agency names met in spreadsheets to the agency directory (pure, cached per matcher).
import type { Agency } from "../core/types.js";
import { editDistance, truncate } from "./cells.js";
import { fail, ok, type Parsed } from "./values.js";

/**
 * Matching key of an agency text: lowercase, accents and punctuation removed, "Kec." and "Kel."
 * spelt out ("Kec. Kepanjen" → "kecamatan kepanjen").
 */
export function agencyMatchKey(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim()
    .replace(/^kec(?:amatan)? /, "kecamatan ")
    .replace(/^kel(?:urahan)? /, "kelurahan ");
}

/** "Dinas Kesehatan Kabupaten Malang" → "dinas kesehatan": a trailing regency name is noise. */
function withoutRegency(key: string): string | undefined {
  const m = /^(.+?) (?:pemerintah )?(?:kabupaten|kab|pemkab) [\p{L} ]+$/u.exec(key);
  return m?.[1];
}

export type AgencyMatcher = (text: string) => Parsed<Agency>;

/** How many known names an unknown agency's rejection suggests. */
export const SUGGESTIONS = 3;

/** A matcher over `agencies` by code, full name or alias; results are cached per text. */
export function createAgencyMatcher(agencies: readonly Agency[]): AgencyMatcher {
  const index = new Map<string, Agency[]>();
  for (const a of agencies) {
    for (const name of [a.code, a.name, ...a.aliases]) {
      const k = agencyMatchKey(name);
      if (k === "") continue;
      const list = index.get(k) ?? [];
      if (!list.includes(a)) list.push(a);
      index.set(k, list);
    }
  }
  const keysOf = new Map<Agency, string[]>();
  for (const [k, list] of index) for (const a of list) keysOf.set(a, [...(keysOf.get(a) ?? []), k]);

  const cache = new Map<string, Parsed<Agency>>();
  return (text) => {
    const key = agencyMatchKey(text);
    const cached = cache.get(key);
    if (cached) return cached;
    const result = resolve(text, key);
    if (cache.size < 10_000) cache.set(key, result);
    return result;
  };

  function resolve(text: string, key: string): Parsed<Agency> {
    const shown = JSON.stringify(truncate(text.trim(), 80));
    if (key === "") return fail("instansi kosong", "the agency is empty");
    const found = index.get(key) ?? index.get(withoutRegency(key) ?? "");
    if (found && found.length === 1 && found[0]) return ok(found[0]);
    if (found && found.length > 1) {
      const names = found.map(label).join("; ");
      return fail(
        `instansi ${shown} ambigu: cocok dengan ${names}; tulis nama lengkap atau kodenya`,
        `agency ${shown} is ambiguous: it matches ${names}; write the full name or the code`,
      );
    }
    const names = suggest(key).map(label).join("; ");
    return fail(
      `instansi ${shown} tidak dikenal; yang paling mirip: ${names}. Tambahkan alias di config/agencies.yaml bila perlu`,
      `unknown agency ${shown}; closest known: ${names}. Add an alias in config/agencies.yaml if needed`,
    );
  }

  function suggest(key: string): Agency[] {
    const scored: { a: Agency; d: number }[] = [];
    for (const [a, keys] of keysOf) {
      let d = Infinity;
      for (const k of keys) {
        // "Kepanjen" is one word away from "kecamatan kepanjen" and "kelurahan kepanjen".
        const wordHit = k.endsWith(` ${key}`) || k.startsWith(`${key} `) ? 1 : Infinity;
        d = Math.min(d, wordHit, editDistance(key, k));
      }
      scored.push({ a, d });
    }
    scored.sort((x, y) => x.d - y.d || x.a.name.localeCompare(y.a.name));
    return scored.slice(0, SUGGESTIONS).map((s) => s.a);
  }
}

function label(a: Agency): string {
  return `${a.name} (${a.code})`;
}

const matchers = new WeakMap<readonly Agency[], AgencyMatcher>();

/** Matches `text` against `agencies` (matcher cached per agencies array). */
export function matchAgency(text: string, agencies: readonly Agency[]): Parsed<Agency> {
  let m = matchers.get(agencies);
  if (!m) {
    m = createAgencyMatcher(agencies);
    matchers.set(agencies, m);
  }
  return m(text);
}

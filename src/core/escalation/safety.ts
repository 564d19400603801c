// Text safety for outgoing mail: header sanitising, HTML escaping, deterministic Message-IDs.
//
// Pure (node:crypto hashing only).
//
// API
// - sanitizeHeaderText(text, maxLength = 200): string — control characters (CR, LF, TAB, NUL,
//   C1, U+2028/2029) become spaces, whitespace runs collapse, the result is trimmed and cut.
//   Use it for everything that goes into a header (subject, display names) and for one-line
//   fields of the plain-text body.
// - escapeHtml(text): string — & < > " ' escaped.
// - safeHref(url): string | null — the URL if it is http(s) and free of control characters.
// - regencySlug(regency): "Kabupaten Malang" → "kabupaten-malang"
// - messageIdFor(dedupeKey, regency): "<first 32 hex of sha256(dedupeKey)>@pantau.<slug>" with
//   angle brackets: the same message always gets the same Message-ID, so receivers dedupe
//   a message that was sent twice after a crash.
import { createHash } from "node:crypto";

// eslint-disable-next-line no-control-regex
const CONTROL_RE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
// eslint-disable-next-line no-control-regex
const HAS_CONTROL_RE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

export function sanitizeHeaderText(text: string, maxLength = 200): string {
  const flat = String(text).replace(CONTROL_RE, " ").replace(/\s+/g, " ").trim();
  if (flat.length <= maxLength) return flat;
  return `${flat.slice(0, Math.max(0, maxLength - 1)).trimEnd()}…`;
}

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

export function escapeHtml(text: string): string {
  return String(text).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

export function safeHref(url: string): string | null {
  if (typeof url !== "string" || HAS_CONTROL_RE.test(url) || /\s/.test(url)) return null;
  return /^https?:\/\/[^/?#]+/i.test(url) ? url : null;
}

export function regencySlug(regency: string): string {
  const slug = String(regency)
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return slug === "" ? "local" : slug;
}

export function messageIdFor(dedupeKey: string, regency: string): string {
  const hash = createHash("sha256").update(dedupeKey, "utf8").digest("hex").slice(0, 32);
  return `<${hash}@pantau.${regencySlug(regency)}>`;
}

// Email address syntax: the one check used for officers' addresses (directory import, sign-in
// links) and for every recipient before a message is composed.
//
// Pure: no I/O.
//
// API
// - isValidEmail(text): boolean — a conservative RFC 5321/5322 "dot-atom" check, no CR/LF, no
//     spaces, no quoted local parts, a dotted domain.

// Dot-atom local part and a dotted domain of LDH labels; no quoting, no IP literals.
const LOCAL_RE = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL_RE = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** A conservative address check; rejects anything with whitespace or control characters. */
export function isValidEmail(text: string): boolean {
  if (typeof text !== "string" || text.length > 254) return false;
  // eslint-disable-next-line no-control-regex
  if (/[\s\u0000-\u001f\u007f]/.test(text)) return false;
  const at = text.lastIndexOf("@");
  if (at <= 0 || at !== text.indexOf("@")) return false;
  const local = text.slice(0, at);
  const domain = text.slice(at + 1);
  if (local.length > 64 || !LOCAL_RE.test(local)) return false;
  const labels = domain.split(".");
  if (labels.length < 2) return false;
  if (!labels.every((l) => LABEL_RE.test(l))) return false;
  return /^[A-Za-z]{2,63}$/.test(labels[labels.length - 1] ?? "");
}

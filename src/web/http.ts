// HTTP plumbing of the web pages: cookies, form bodies, the language of a request, and the
// headers every page carries (CSP without any script, no framing, no referrer, no caching of
// signed-in pages). Invariants: cookies are HttpOnly and SameSite=Strict, Secure when the pages
// are served over TLS; nothing here throws for what a client sends except HttpError (4xx).
import type { IncomingMessage } from "node:http";
import { HttpError, type ResponseHeaders } from "../http/server.js";
import { readBodyBytes } from "../api/body.js";
import type { Lang } from "../i18n/lang.js";

export const SESSION_COOKIE = "pantau_sesi";
/** Double-submit CSRF cookie of the forms shown before sign-in. */
export const PRE_COOKIE = "pantau_pra";
export const LANG_COOKIE = "pantau_bahasa";

/** Largest form body accepted (the forms hold an address or a token and a CSRF token). */
const FORM_LIMIT = 8 * 1024;

/** Cookies of a request; malformed pairs are skipped, never an error. */
export function readCookies(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const i = part.indexOf("=");
    if (i <= 0) continue;
    const name = part.slice(0, i).trim();
    const raw = part.slice(i + 1).trim();
    try {
      out[name] = decodeURIComponent(raw);
    } catch {
      // a malformed value is as good as none
    }
  }
  return out;
}

export interface CookieOptions {
  secure: boolean;
  /** Seconds; 0 deletes the cookie; absent: a browser-session cookie. */
  maxAge?: number;
}

export function cookie(name: string, value: string, o: CookieOptions): string {
  const parts = [`${name}=${encodeURIComponent(value)}`, "Path=/", "HttpOnly", "SameSite=Strict"];
  if (o.maxAge !== undefined) parts.push(`Max-Age=${o.maxAge}`);
  if (o.secure) parts.push("Secure");
  return parts.join("; ");
}

/** A form POST body (application/x-www-form-urlencoded), at most FORM_LIMIT bytes. */
export async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const type = (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded") {
    throw new HttpError(
      415,
      "Formulir harus dikirim sebagai application/x-www-form-urlencoded. / The form must be sent as application/x-www-form-urlencoded.",
    );
  }
  const bytes = await readBodyBytes(req, FORM_LIMIT);
  return new URLSearchParams(bytes.toString("utf8"));
}

/** The page language: ?lang= (then remembered in a cookie), else the cookie, else the config. */
export function pageLang(url: URL, cookies: Record<string, string>, fallback: Lang): Lang {
  const asked = url.searchParams.get("lang") ?? cookies[LANG_COOKIE];
  return asked === "en" ? "en" : asked === "id" ? "id" : fallback;
}

/**
 * Headers of every page. `secure`: served over TLS (web.base_url is https://), which adds HSTS.
 * No script may run at all (the pages work without JavaScript); styles and images only from the
 * daemon itself; forms only post back to it; no page may be framed.
 */
export function pageHeaders(secure: boolean, extra: ResponseHeaders = {}): ResponseHeaders {
  const headers: ResponseHeaders = {
    "content-type": "text/html; charset=utf-8",
    "content-security-policy":
      "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    "cache-control": "no-store",
    ...extra,
  };
  if (secure) headers["strict-transport-security"] = "max-age=31536000";
  return headers;
}

/** The client's address for the per-client rate limit (the socket's; proxies are not trusted). */
export function clientOf(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? "unknown";
}

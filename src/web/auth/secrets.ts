// Random secrets of the web sign-in (links, session ids, CSRF tokens) and their stored form:
// 32 random bytes in base64url; only the SHA-256 (hex) is ever written to the database.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

export const SECRET_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function newSecret(): string {
  return randomBytes(32).toString("base64url");
}

export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

/** Constant-time comparison of two texts (CSRF tokens). */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a, "utf8");
  const y = Buffer.from(b, "utf8");
  return x.length === y.length && timingSafeEqual(x, y);
}

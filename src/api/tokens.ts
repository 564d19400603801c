// API bearer tokens: "pnt_" followed by 32 random bytes in base64url (47 characters in all).
// Only the SHA-256 of the token is stored, with the first characters of its secret for listing;
// the token itself is shown once, when it is created.
import { createHash, randomBytes } from "node:crypto";
import type { Instant } from "../core/types.js";
import type { Db } from "../store/reportStore.js";

export const TOKEN_PREFIX = "pnt_";
export const TOKEN_PATTERN = /^pnt_[A-Za-z0-9_-]{43}$/;
export const TOKEN_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** last_used_at is written at most this often per token. */
export const LAST_USED_RESOLUTION_MS = 60_000;

export type TokenScope = "admin" | "opd";

export interface ApiToken {
  id: number;
  name: string;
  scope: TokenScope;
  opd: string | null;
  /** The first 8 characters of the secret, for listing ("pnt_AbCdEfGh…"). */
  prefix: string;
  createdAt: Instant;
  lastUsedAt: Instant | null;
  revokedAt: Instant | null;
}

interface TokenRow {
  id: number | string;
  name: string;
  scope: string;
  opd: string | null;
  prefix: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const COLUMNS = [
  "id",
  "name",
  "scope",
  "opd",
  "prefix",
  "created_at",
  "last_used_at",
  "revoked_at",
];

function fromRow(row: TokenRow): ApiToken {
  return {
    id: Number(row.id),
    name: row.name,
    scope: row.scope === "admin" ? "admin" : "opd",
    opd: row.opd,
    prefix: row.prefix,
    createdAt: new Date(row.created_at).getTime(),
    lastUsedAt: row.last_used_at === null ? null : new Date(row.last_used_at).getTime(),
    revokedAt: row.revoked_at === null ? null : new Date(row.revoked_at).getTime(),
  };
}

export function generateToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString("base64url");
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

export class DuplicateTokenNameError extends Error {
  readonly code = "TOKEN_NAME_TAKEN";
  constructor(readonly tokenName: string) {
    super(`token name ${tokenName} is taken`);
  }
}

export async function findTokenByName(db: Db, name: string): Promise<ApiToken | null> {
  const row = (await db("api_tokens").select(COLUMNS).where({ name }).first()) as
    TokenRow | undefined;
  return row ? fromRow(row) : null;
}

/** Creates a token; returns the secret (to be shown once) and the stored record. */
export async function createToken(
  db: Db,
  spec: { name: string; scope: TokenScope; opd: string | null },
  now: Instant,
): Promise<{ token: string; record: ApiToken }> {
  if (await findTokenByName(db, spec.name)) throw new DuplicateTokenNameError(spec.name);
  const token = generateToken();
  try {
    const [row] = (await db("api_tokens")
      .insert({
        name: spec.name,
        scope: spec.scope,
        opd: spec.scope === "admin" ? null : spec.opd,
        token_hash: hashToken(token),
        prefix: token.slice(TOKEN_PREFIX.length, TOKEN_PREFIX.length + 8),
        created_at: new Date(now),
      })
      .returning(COLUMNS)) as TokenRow[];
    if (!row) throw new Error("token insert returned nothing");
    return { token, record: fromRow(row) };
  } catch (error) {
    // A concurrent create with the same name.
    if ((error as { code?: string }).code === "23505") throw new DuplicateTokenNameError(spec.name);
    throw error;
  }
}

export async function listTokens(db: Db): Promise<ApiToken[]> {
  const rows = (await db("api_tokens").select(COLUMNS).orderBy("name")) as TokenRow[];
  return rows.map(fromRow);
}

export async function revokeToken(
  db: Db,
  name: string,
  now: Instant,
): Promise<"revoked" | "already_revoked" | "unknown"> {
  const existing = await findTokenByName(db, name);
  if (!existing) return "unknown";
  if (existing.revokedAt !== null) return "already_revoked";
  await db("api_tokens")
    .where({ id: existing.id })
    .whereNull("revoked_at")
    .update({ revoked_at: new Date(now) });
  return "revoked";
}

/** The token with this secret, revoked or not; null when unknown. */
export async function findTokenBySecret(db: Db, secret: string): Promise<ApiToken | null> {
  const row = (await db("api_tokens")
    .select(COLUMNS)
    .where({ token_hash: hashToken(secret) })
    .first()) as TokenRow | undefined;
  return row ? fromRow(row) : null;
}

/** Records a use, at most once per LAST_USED_RESOLUTION_MS. */
export async function touchToken(db: Db, token: ApiToken, now: Instant): Promise<void> {
  if (token.lastUsedAt !== null && now - token.lastUsedAt < LAST_USED_RESOLUTION_MS) return;
  await db("api_tokens")
    .where({ id: token.id })
    .andWhere((q) =>
      q
        .whereNull("last_used_at")
        .orWhere("last_used_at", "<", new Date(now - LAST_USED_RESOLUTION_MS)),
    )
    .update({ last_used_at: new Date(now) });
}

// Web sessions: a random session id in an HttpOnly, SameSite=Strict cookie; the database keeps
// only its SHA-256, who it belongs to (an officer's email or an admin token), the CSRF token of
// its forms, and when it ends (created + web.session_hours, server-side) or ended (sign-out).
// What the session may see is not stored: it is read from the directory at each request.
import type { Knex } from "knex";
import type { Instant } from "../../core/types.js";
import { hashSecret, newSecret } from "./secrets.js";

export type SessionOwner = { kind: "officer"; email: string } | { kind: "token"; tokenId: number };

export interface Session {
  id: number;
  owner: SessionOwner;
  csrf: string;
  createdAt: Instant;
  expiresAt: Instant;
}

/** last_seen_at is written at most this often per session. */
const SEEN_RESOLUTION_MS = 60_000;

interface SessionRow {
  id: number | string;
  kind: string;
  email: string | null;
  token_id: number | string | null;
  csrf: string;
  created_at: Date;
  last_seen_at: Date;
  expires_at: Date;
}

export async function createSession(
  knex: Knex,
  owner: SessionOwner,
  now: Instant,
  ttlMs: number,
): Promise<{ secret: string; session: Session }> {
  const secret = newSecret();
  const csrf = newSecret();
  const [row] = (await knex("web_sessions")
    .insert({
      session_hash: hashSecret(secret),
      kind: owner.kind,
      email: owner.kind === "officer" ? owner.email : null,
      token_id: owner.kind === "token" ? owner.tokenId : null,
      csrf,
      created_at: new Date(now),
      last_seen_at: new Date(now),
      expires_at: new Date(now + ttlMs),
    })
    .returning("id")) as { id: number | string }[];
  return {
    secret,
    session: { id: Number(row?.id), owner, csrf, createdAt: now, expiresAt: now + ttlMs },
  };
}

/** The live session with this secret at `now` (not expired, not signed out), or null. */
export async function findSession(
  knex: Knex,
  secret: string,
  now: Instant,
): Promise<Session | null> {
  const row = (await knex("web_sessions")
    .select("id", "kind", "email", "token_id", "csrf", "created_at", "last_seen_at", "expires_at")
    .where({ session_hash: hashSecret(secret) })
    .whereNull("ended_at")
    .where("expires_at", ">", new Date(now))
    .first()) as SessionRow | undefined;
  if (!row) return null;
  if (now - row.last_seen_at.getTime() >= SEEN_RESOLUTION_MS) {
    await knex("web_sessions")
      .where({ id: row.id })
      .update({ last_seen_at: new Date(now) });
  }
  const owner: SessionOwner =
    row.kind === "token"
      ? { kind: "token", tokenId: Number(row.token_id) }
      : { kind: "officer", email: row.email ?? "" };
  return {
    id: Number(row.id),
    owner,
    csrf: row.csrf,
    createdAt: row.created_at.getTime(),
    expiresAt: row.expires_at.getTime(),
  };
}

/** Ends a session (sign-out, or its owner lost access). */
export async function endSession(knex: Knex, id: number, now: Instant): Promise<void> {
  await knex("web_sessions")
    .where({ id })
    .whereNull("ended_at")
    .update({ ended_at: new Date(now) });
}

export interface RecentSignIn {
  who: string;
  kind: "officer" | "token";
  lastSeenAt: Instant;
  signedOut: boolean;
}

/** Who used the pages since `since` (newest first), for the operations page (admins). */
export async function recentSignIns(
  knex: Knex,
  since: Instant,
  limit = 50,
): Promise<RecentSignIn[]> {
  const rows = (await knex("web_sessions as s")
    .leftJoin("api_tokens as t", "t.id", "s.token_id")
    .select("s.kind", "s.email", "t.name as token_name", "s.last_seen_at", "s.ended_at")
    .where("s.last_seen_at", ">=", new Date(since))
    .orderBy("s.last_seen_at", "desc")
    .limit(limit)) as {
    kind: string;
    email: string | null;
    token_name: string | null;
    last_seen_at: Date;
    ended_at: Date | null;
  }[];
  return rows.map((r) => ({
    who: r.kind === "token" ? `token ${r.token_name ?? "?"}` : (r.email ?? "?"),
    kind: r.kind === "token" ? "token" : "officer",
    lastSeenAt: r.last_seen_at.getTime(),
    signedOut: r.ended_at !== null,
  }));
}

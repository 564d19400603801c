// Idempotency-Key for POSTs: the first request with a key claims it (a row without a status),
// does its work and stores its response in the same transaction as the work; a retry with the
// same key and the same request gets the stored response, with another request 422, and while
// the first is still running 409. Keys expire after 24 hours (expired rows are deleted whenever
// a key is claimed). A claim whose request died without an answer is taken over after 5 minutes.
import { createHash } from "node:crypto";
import type { Instant } from "../core/types.js";
import type { Db } from "../store/reportStore.js";
import { ApiError } from "./errors.js";

export const IDEMPOTENCY_TTL_MS = 24 * 3600_000;
export const IN_PROGRESS_LEASE_MS = 5 * 60_000;

export interface StoredResponse {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

export type Claim = { kind: "claimed"; id: number } | { kind: "replay"; response: StoredResponse };

/** JSON with object keys sorted, so that formatting and key order do not change the hash. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

export function requestHash(method: string, path: string, body: unknown): string {
  return createHash("sha256")
    .update(`${method} ${path}\n${canonicalJson(body)}`)
    .digest("hex");
}

interface KeyRow {
  id: number | string;
  request_hash: string;
  status: number | null;
  response_body: unknown;
  response_headers: unknown;
  created_at: Date;
}

const parseJson = (value: unknown): unknown =>
  typeof value === "string" ? (JSON.parse(value) as unknown) : value;

export async function claimKey(
  db: Db,
  tokenId: number,
  key: string,
  hash: string,
  now: Instant,
): Promise<Claim> {
  await db("idempotency_keys")
    .where("created_at", "<=", new Date(now - IDEMPOTENCY_TTL_MS))
    .del();
  const inserted = (await db("idempotency_keys")
    .insert({ token_id: tokenId, key, request_hash: hash, created_at: new Date(now) })
    .onConflict(["token_id", "key"])
    .ignore()
    .returning("id")) as { id: number | string }[];
  const first = inserted[0];
  if (first) return { kind: "claimed", id: Number(first.id) };
  const row = (await db("idempotency_keys")
    .select("id", "request_hash", "status", "response_body", "response_headers", "created_at")
    .where({ token_id: tokenId, key })
    .first()) as KeyRow | undefined;
  if (!row) return claimKey(db, tokenId, key, hash, now); // expired and deleted meanwhile
  if (row.request_hash !== hash) {
    throw new ApiError(422, "idempotency_key_reused", {
      id: "Idempotency-Key ini sudah dipakai untuk permintaan lain; gunakan kunci baru untuk permintaan baru",
      en: "this Idempotency-Key was used for a different request; use a new key for a new request",
    });
  }
  if (row.status === null) {
    const claimedAt = new Date(row.created_at).getTime();
    if (now - claimedAt >= IN_PROGRESS_LEASE_MS) {
      const taken = await db("idempotency_keys")
        .where({ id: row.id, created_at: row.created_at })
        .whereNull("status")
        .update({ created_at: new Date(now) });
      if (taken === 1) return { kind: "claimed", id: Number(row.id) };
    }
    throw new ApiError(409, "idempotency_in_progress", {
      id: "permintaan dengan Idempotency-Key ini masih diproses; ulangi sebentar lagi",
      en: "a request with this Idempotency-Key is still being processed; retry in a moment",
    });
  }
  return {
    kind: "replay",
    response: {
      status: row.status,
      body: parseJson(row.response_body),
      headers: (parseJson(row.response_headers) as Record<string, string> | null) ?? {},
    },
  };
}

export async function completeKey(db: Db, id: number, response: StoredResponse): Promise<void> {
  await db("idempotency_keys")
    .where({ id })
    .update({
      status: response.status,
      response_body: JSON.stringify(response.body),
      response_headers: JSON.stringify(response.headers),
    });
}

/** Gives a claimed key up (the request failed with a server error): a retry may run again. */
export async function releaseKey(db: Db, id: number): Promise<void> {
  await db("idempotency_keys").where({ id }).whereNull("status").del();
}

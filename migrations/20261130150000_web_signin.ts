// Sign-in to the web pages (src/web): one-time links sent through the outbox and the sessions
// they open. Secrets are stored only as SHA-256 hashes (a stolen database opens nothing); a link
// is used at most once (used_at) and only before expires_at; a session ends at expires_at or at
// sign-out (ended_at). No access rights are stored: they are read from the officer directory at
// each request, so that an appointment's end (mutasi) ends access at once. The outbox learns the
// message kind 'signin'.
import type { Knex } from "knex";

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("web_signin_links", (t) => {
    t.bigIncrements("id").primary();
    t.text("token_hash").notNullable().unique();
    // Lowercased address of an officer in the directory at the time of the request.
    t.text("email").notNullable();
    t.timestamp("created_at", { useTz: true }).notNullable();
    t.timestamp("expires_at", { useTz: true }).notNullable();
    t.timestamp("used_at", { useTz: true }).nullable();
    t.index(["email", "created_at"]);
  });
  await knex.schema.createTable("web_sessions", (t) => {
    t.bigIncrements("id").primary();
    t.text("session_hash").notNullable().unique();
    // 'officer' (email set) or 'token' (an admin API token: token_id set).
    t.text("kind").notNullable();
    t.text("email").nullable();
    t.bigInteger("token_id").nullable().references("id").inTable("api_tokens");
    // The CSRF token of this session's forms (random, not a secret of the cookie).
    t.text("csrf").notNullable();
    t.timestamp("created_at", { useTz: true }).notNullable();
    t.timestamp("last_seen_at", { useTz: true }).notNullable();
    t.timestamp("expires_at", { useTz: true }).notNullable();
    t.timestamp("ended_at", { useTz: true }).nullable();
    t.index(["last_seen_at"]);
  });
  await knex.raw(
    `ALTER TABLE web_sessions
       ADD CONSTRAINT web_sessions_kind CHECK (
         (kind = 'officer' AND email IS NOT NULL AND token_id IS NULL)
         OR (kind = 'token' AND token_id IS NOT NULL AND email IS NULL))`,
  );
  await knex.raw(`ALTER TABLE outbox DROP CONSTRAINT outbox_kind`);
  await knex.raw(
    `ALTER TABLE outbox ADD CONSTRAINT outbox_kind CHECK (kind IN ('escalation','vacancy','reminder','signin'))`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex("outbox").where({ kind: "signin" }).delete();
  await knex.raw(`ALTER TABLE outbox DROP CONSTRAINT outbox_kind`);
  await knex.raw(
    `ALTER TABLE outbox ADD CONSTRAINT outbox_kind CHECK (kind IN ('escalation','vacancy','reminder'))`,
  );
  await knex.schema.dropTableIfExists("web_sessions");
  await knex.schema.dropTableIfExists("web_signin_links");
}

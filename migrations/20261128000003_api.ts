// HTTP API schema: bearer tokens (only the SHA-256 of the secret is stored, with its first
// characters for listing) scoped to one agency or to everything (admin), and the stored
// responses of POSTs sent with an Idempotency-Key (one per token and key, kept 24 hours).
import type { Knex } from "knex";

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("api_tokens", (t) => {
    t.bigIncrements("id").primary();
    // Unique forever (revoked names included): event sources name the token ("api:<name>").
    t.text("name").notNullable().unique();
    t.text("scope").notNullable();
    t.text("opd").nullable().references("code").inTable("agencies");
    // Hex SHA-256 of the whole token; the token itself is shown once and never stored.
    t.text("token_hash").notNullable().unique();
    t.text("prefix").notNullable();
    t.timestamp("created_at", { useTz: true }).notNullable();
    t.timestamp("last_used_at", { useTz: true }).nullable();
    t.timestamp("revoked_at", { useTz: true }).nullable();
  });
  await knex.raw(
    `ALTER TABLE api_tokens
       ADD CONSTRAINT api_tokens_scope CHECK (scope IN ('admin','opd')),
       ADD CONSTRAINT api_tokens_scope_opd CHECK ((scope = 'opd') = (opd IS NOT NULL))`,
  );

  await knex.schema.createTable("idempotency_keys", (t) => {
    t.bigIncrements("id").primary();
    t.bigInteger("token_id").notNullable().references("id").inTable("api_tokens");
    t.text("key").notNullable();
    // SHA-256 of method, path and the canonical JSON body: the same key with another body is refused.
    t.text("request_hash").notNullable();
    // Null while the first request with this key is still being processed.
    t.integer("status").nullable();
    t.jsonb("response_body").nullable();
    t.jsonb("response_headers").nullable();
    t.timestamp("created_at", { useTz: true }).notNullable();
    t.unique(["token_id", "key"]);
    t.index(["created_at"]);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists("idempotency_keys");
  await knex.schema.dropTableIfExists("api_tokens");
}

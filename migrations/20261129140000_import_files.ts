// Import history: one row per file an import has finished with — imported, unchanged (its content
// was imported before) or failed (unreadable; the reason is kept) — written in the same
// transaction as the import itself, so a crash mid-file leaves no row and the file is taken again.
// `drop_key` (content hash, file name, size and modification time) identifies one drop of a file
// into the inbox: unique, so that two daemons never record the same drop twice.
import type { Knex } from "knex";

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("import_files", (t) => {
    t.bigIncrements("id").primary();
    // The file's name (without folders): a name, never a path of the operator's machine.
    t.text("file_name").notNullable();
    // Hex SHA-256 of the file's bytes.
    t.text("content_hash").notNullable();
    // Null for `pantau import FILE` (each run is its own).
    t.text("drop_key").nullable().unique();
    // 'inbox' or 'cli'.
    t.text("origin").notNullable();
    t.text("result").notNullable();
    t.integer("rows").notNullable().defaultTo(0);
    t.integer("imported").notNullable().defaultTo(0);
    t.integer("unchanged").notNullable().defaultTo(0);
    t.integer("rejected").notNullable().defaultTo(0);
    t.integer("warnings").notNullable().defaultTo(0);
    // Failed: why (bilingual, one line). Never row contents.
    t.text("reason").nullable();
    // Where the file went, relative to the inbox ("done/2026-11-27/ekspor.xlsx").
    t.text("moved_to").nullable();
    t.text("instance").notNullable();
    t.timestamp("finished_at", { useTz: true }).notNullable();
    t.index(["content_hash"]);
    t.index(["finished_at"]);
  });
  await knex.raw(
    `ALTER TABLE import_files
       ADD CONSTRAINT import_files_result CHECK (result IN ('imported','unchanged','failed')),
       ADD CONSTRAINT import_files_origin CHECK (origin IN ('inbox','cli'))`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists("import_files");
}

// Bulk writes for the import. Rows travel as one array literal per column, unnested by the
// server: a chunk of thousands of rows is one statement that the server runs without waiting
// for this process, and parsing arrays costs it a quarter of parsing the same rows from JSON
// objects. BulkSession queues statements on a transaction's connection in call order without
// the caller awaiting each, so the import can queue the next chunk's reads ahead of the
// previous chunk's writes and plan while the server works.
import { createHash } from "node:crypto";
import type { PGlite } from "@electric-sql/pglite";
import type { Knex } from "knex";
import type { Client } from "pg";
import type { DatabaseKind } from "../db/connect.js";

/** One cell of a column batch. */
export type CellValue = string | number | boolean | null;

const NEEDS_ESCAPE = /["\\]/;
const ESCAPED = /["\\]/g;
/** Elements that an array literal can hold without quotes (never NULL, never empty). */
const BARE = /^[A-Za-z0-9_.:+-]+$/;

/** Rows collected column by column, each column becoming one PostgreSQL array literal. */
export class ColumnBatch {
  private readonly columns: string[][];
  rows = 0;

  constructor(readonly width: number) {
    this.columns = Array.from({ length: width }, () => []);
  }

  add(values: readonly CellValue[]): void {
    if (values.length !== this.width) {
      throw new RangeError(`expected ${this.width} values, got ${values.length}`);
    }
    for (let i = 0; i < values.length; i++) {
      (this.columns[i] as string[]).push(element(values[i] ?? null));
    }
    this.rows++;
  }

  /** The columns as array literals, to bind as text parameters (cast in SQL). */
  literals(): string[] {
    return this.columns.map((c) => `{${c.join(",")}}`);
  }
}

function element(v: CellValue): string {
  if (v === null) return "NULL";
  if (typeof v === "string") {
    // Most values (ids, codes, states) need no quotes: no new string for them.
    if (BARE.test(v) && !(v.length === 4 && v.toUpperCase() === "NULL")) return v;
    return `"${NEEDS_ESCAPE.test(v) ? v.replace(ESCAPED, "\\$&") : v}"`;
  }
  if (typeof v === "boolean") return v ? "t" : "f";
  if (Number.isFinite(v)) return String(v);
  throw new RangeError(`an array literal cannot hold the number ${v}`);
}

type Row = Record<string, unknown>;

/**
 * For a transaction whose every lookup is by key through arrays of keys (`= ANY($1::text::…[])`):
 * the planner cannot see into such an array and may price a sequential scan of a large table
 * below an index scan (seconds instead of milliseconds per batch), and in a large first import
 * the tables grow while their statistics still say "empty". Sequential scans are turned off for
 * the transaction, and JIT with them: plans priced with enable_seqscan = off look so expensive
 * that JIT compilation would start for statements that take milliseconds (100 ms or more each).
 */
export async function keyLookupsOnly(trx: Knex.Transaction): Promise<void> {
  await trx.raw("SET LOCAL enable_seqscan = off");
  await trx.raw("SET LOCAL jit = off");
}

const statementNames = new Map<string, string>();
/**
 * A bulk statement runs once per chunk: on PostgreSQL it is prepared once per connection under
 * a name derived from its text, so the server parses and plans it once, not per chunk (about a
 * tenth of the server's time for an import).
 */
function statementName(sql: string): string {
  let name = statementNames.get(sql);
  if (name === undefined) {
    name = `pantau_bulk_${createHash("sha256").update(sql).digest("hex").slice(0, 24)}`;
    statementNames.set(sql, name);
  }
  return name;
}

/**
 * A queue of statements on the connection of `trx`. Each call returns at once with a promise of
 * its rows; the statements run one after the other in call order. Nothing else may use the
 * transaction while a session has statements pending; `drain()` waits for all of them.
 */
export class BulkSession {
  private tail: Promise<unknown> = Promise.resolve();
  private failure: unknown = null;

  private constructor(
    private readonly kind: DatabaseKind,
    private readonly connection: Client | PGlite,
  ) {}

  static async open(kind: DatabaseKind, trx: Knex.Transaction): Promise<BulkSession> {
    // Inside a transaction knex hands out the transaction's own connection: a pg Client, or
    // the PGlite instance (a single connection).
    const connection = (await trx.client.acquireConnection()) as Client | PGlite;
    return new BulkSession(kind, connection);
  }

  query(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    const next = this.tail.then(async () => {
      // After a failure the transaction is aborted: later statements would only fail again.
      if (this.failure !== null) throw this.failure;
      const values = [...params];
      const result =
        this.kind === "embedded"
          ? await (this.connection as PGlite).query<Row>(sql, values)
          : await (this.connection as Client).query<Row>({
              name: statementName(sql),
              text: sql,
              values,
            });
      return result.rows;
    });
    this.tail = next.catch((error: unknown) => {
      this.failure ??= error;
    });
    return next;
  }

  /** Waits for every queued statement; rejects with the first failure. */
  async drain(): Promise<void> {
    await this.tail;
    if (this.failure !== null) throw this.failure;
  }
}

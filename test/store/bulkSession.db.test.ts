// Column batches reach the database intact: every kind of text an import can carry (quotes,
// backslashes, braces, commas, the word NULL, empty strings, non-ASCII, line breaks), numbers,
// booleans and nulls survive the array-literal encoding, on PGlite and on PostgreSQL; and the
// session runs queued statements in call order, keeping the first failure.
import { expect } from "chai";
import { BulkSession, ColumnBatch } from "../../src/store/bulkSession.js";
import { instantSql } from "../../src/store/importWrites.js";
import { createTestDatabase, type TestDatabase } from "../helpers/db.js";

describe("bulk session: column batches", function () {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase();
  });
  afterEach(async () => {
    await db.close();
  });

  const texts = [
    "plain",
    "Kec. Kepanjen",
    'say "hi"',
    "back\\slash",
    "{braces}, and commas",
    "NULL",
    "null",
    "",
    "Dinas Pekerjaan Umum — Bina Marga",
    "baris satu\nbaris dua\ttab",
    "  spaced  ",
    "[]",
    '[{"start":1,"end":null}]',
  ];

  it("round-trips text, numbers, booleans and nulls through unnest", async () => {
    const batch = new ColumnBatch(4);
    texts.forEach((t, i) => batch.add([t, i % 3 === 0 ? null : i * 1.5, i % 2 === 0, null]));
    const rows = await db.knex.transaction(async (trx) => {
      const session = await BulkSession.open(db.kind, trx);
      const [a, b, c, d] = batch.literals();
      return session.query(
        `SELECT t, n, f, x FROM unnest($1::text::text[], $2::text::double precision[],
           $3::text::boolean[], $4::text::text[]) WITH ORDINALITY AS u(t, n, f, x, i) ORDER BY i`,
        [a, b, c, d],
      );
    });
    expect(rows.map((r) => r.t)).to.deep.equal(texts);
    expect(rows.map((r) => r.n)).to.deep.equal(texts.map((_, i) => (i % 3 === 0 ? null : i * 1.5)));
    expect(rows.map((r) => r.f)).to.deep.equal(texts.map((_, i) => i % 2 === 0));
    expect(rows.every((r) => r.x === null)).to.equal(true);
  });

  it("turns epoch milliseconds into timestamps exact to the millisecond, 1970 to 2150", async () => {
    const batch = new ColumnBatch(1);
    const instants = [0, 1, 999, Date.parse("2024-07-09T07:03:00.001Z"), 5_680_281_599_999];
    // A fixed pseudo-random spread over the range (no clock, no Math.random).
    let x = 12_345;
    for (let i = 0; i < 5_000; i++) {
      x = (x * 48_271) % 2_147_483_647;
      instants.push(Math.floor((x / 2_147_483_647) * 5_680_281_599_999));
    }
    for (const t of instants) batch.add([t]);
    const rows = await db.knex.transaction(async (trx) => {
      const session = await BulkSession.open(db.kind, trx);
      return session.query(
        `SELECT (extract(epoch FROM ${instantSql("t")}) * 1000)::bigint::text AS ms
           FROM unnest($1::text::bigint[]) WITH ORDINALITY AS u(t, i) ORDER BY i`,
        batch.literals(),
      );
    });
    expect(rows.map((r) => Number(r.ms))).to.deep.equal(instants);
  });

  it("refuses a row of the wrong width and a number that is not finite", () => {
    const batch = new ColumnBatch(2);
    expect(() => batch.add(["only one"])).to.throw(RangeError, /expected 2 values/);
    expect(() => batch.add(["x", Infinity])).to.throw(RangeError, /cannot hold/);
  });

  it("runs statements in call order and reports the first failure from drain()", async () => {
    let drained: unknown = null;
    await db.knex
      .transaction(async (trx) => {
        const session = await BulkSession.open(db.kind, trx);
        const order: number[] = [];
        const first = session.query("SELECT 1 AS n").then(() => order.push(1));
        const failing = session.query("SELECT * FROM no_such_table").catch(() => order.push(2));
        const after = session.query("SELECT 3 AS n").catch(() => order.push(3));
        await Promise.all([first, failing, after]);
        expect(order).to.deep.equal([1, 2, 3]);
        try {
          await session.drain();
        } catch (error) {
          drained = error;
        }
        throw new Error("roll back");
      })
      .catch(() => undefined);
    expect(String(drained)).to.match(/no_such_table/);
  });
});

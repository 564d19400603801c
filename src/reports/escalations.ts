// Escalations by agency, period and level for the reports. Kept apart: it reads the escalation
// engine's table (migrations/20261128000002_escalation.ts) and only the columns relied on here:
// escalations(opd, level, status, sent_at). An escalation counts once it was sent (status
// 'sent'), in the local year or month (deployment zone) of sent_at. Pending, superseded and
// cancelled decisions never reached anyone and are not counted. No table: no rows.
import type { Knex } from "knex";
import { periodExpr, type Grouping, type Scope } from "./queries.js";

type Db = Knex | Knex.Transaction;

export interface EscalationAggregate {
  opd: string | null;
  period: number;
  level: number;
  count: number;
}

/** Databases known to have the table (it is never dropped): one look-up per connection pool. */
const present = new WeakSet<object>();

async function escalationsPresent(db: Db): Promise<boolean> {
  if (present.has(db)) return true;
  const result = (await db.raw(`SELECT to_regclass('escalations') IS NOT NULL AS present`)) as {
    rows: { present: boolean }[];
  };
  if (!result.rows[0]?.present) return false;
  if (!("isTransaction" in db && db.isTransaction)) present.add(db);
  return true;
}

export async function escalationAggregates(
  db: Db,
  range: { from: number; to: number },
  zone: string,
  grouping: Grouping,
  scope: Scope,
): Promise<EscalationAggregate[]> {
  if (!(await escalationsPresent(db))) return [];
  const bindings: unknown[] = [zone, new Date(range.from), new Date(range.to)];
  let filter = "";
  if (scope.perAgency && scope.opds) {
    filter = ` AND opd = ANY(?::text[])`;
    bindings.push([...scope.opds]);
  }
  const period = periodExpr(grouping, `(sent_at AT TIME ZONE z.zone)`);
  const opd = scope.perAgency ? "opd" : "NULL::text";
  const result = (await db.raw(
    `SELECT ${opd} AS opd, ${period} AS period, level, count(*)::int AS count
       FROM escalations CROSS JOIN (SELECT ?::text AS zone) z
      WHERE status = 'sent' AND sent_at >= ? AND sent_at < ?${filter}
      GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
    bindings as Knex.RawBinding[],
  )) as { rows: { opd: string | null; period: number; level: number; count: number }[] };
  return result.rows.map((r) => ({
    opd: r.opd ?? null,
    period: Number(r.period),
    level: Number(r.level),
    count: Number(r.count),
  }));
}

// The HTTP API (/api/v1): reports in (snapshots and events, through the same importer as
// spreadsheets), reports and overdue clocks out. Bearer tokens scoped to an agency or admin,
// every input validated against schemas.ts, Idempotency-Key on POSTs, JSON errors without stack
// traces. The composition root registers these routes on the daemon's router.
import type { IncomingMessage } from "node:http";
import type { AppContext } from "../context/appContext.js";
import {
  importItems,
  planSnapshot,
  type ImportItem,
  type ImportOptions,
  type Rejection,
} from "../app/importService.js";
import { formatDurationText, formatIsoLocal } from "../core/format/index.js";
import { checkRecording } from "../core/sla/recording.js";
import { MANUAL_CHANNELS, type Channel, type Instant, type ReportSnapshot } from "../core/types.js";
import type { HttpRouter, RouteHandler } from "../http/server.js";
import { pick, type Bilingual, type Lang } from "../i18n/lang.js";
import { matchAgency } from "../ingest/agency.js";
import type { Db } from "../store/reportStore.js";
import { DEFAULT_BODY_LIMIT, readJsonBody } from "./body.js";
import {
  ApiError,
  forbidden,
  notFound,
  renderError,
  unauthorized,
  validationError,
  type FieldProblem,
} from "./errors.js";
import {
  claimKey,
  completeKey,
  releaseKey,
  requestHash,
  type StoredResponse,
} from "./idempotency.js";
import { openApiDocument } from "./openapi.js";
import {
  AgencyCode,
  EventInput,
  EventList,
  IdempotencyKey,
  NowQuery,
  SnapshotInput,
  TrackingId,
} from "./schemas.js";
import { TOKEN_PATTERN, findTokenBySecret, touchToken, type ApiToken } from "./tokens.js";
import { validate } from "./validate.js";
import { overdueView, ownerOf, reportView } from "./views.js";

export interface ApiOptions {
  /** Largest accepted request body in bytes (default 1 MiB). */
  bodyLimitBytes?: number;
}

/** Every route of the API (the OpenAPI document lists each; the tests check it). */
export const API_ROUTES = [
  { method: "GET", path: "/api/v1/openapi.json" },
  { method: "POST", path: "/api/v1/reports" },
  { method: "POST", path: "/api/v1/reports/{trackingId}/events" },
  { method: "GET", path: "/api/v1/reports/{trackingId}" },
  { method: "GET", path: "/api/v1/opd/{code}/overdue" },
] as const;

type Response = StoredResponse;

interface Call {
  req: IncomingMessage;
  url: URL;
  params: Record<string, string>;
  lang: Lang;
  now: Instant;
}

/** The request's language: Accept-Language (id or en) when given, else the configured one. */
export function requestLang(req: IncomingMessage, fallback: Lang): Lang {
  const first = (req.headers["accept-language"] ?? "").split(",")[0]?.trim().toLowerCase() ?? "";
  if (first.startsWith("en")) return "en";
  if (first.startsWith("id") || first.startsWith("in")) return "id";
  return fallback;
}

const SNAPSHOT_COLUMNS: Record<string, string> = {
  received_at: "receivedAt",
  disposed_at: "milestones.disposedAt",
  first_response_at: "milestones.firstResponseAt",
  followed_up_at: "milestones.followedUpAt",
  completed_at: "milestones.completedAt",
  archived_at: "milestones.archivedAt",
  opd: "opd",
  tracking_id: "trackingId",
};

const EVENT_COLUMNS: Record<string, string> = { at: "at", opd: "opd", tracking_id: "trackingId" };

const ms = (iso: string): Instant => Date.parse(iso);
const msOrUndefined = (iso: string | null | undefined): Instant | undefined =>
  iso === null || iso === undefined ? undefined : Date.parse(iso);

export function registerApiRoutes(
  router: HttpRouter,
  ctx: AppContext,
  clock: () => number,
  options: ApiOptions = {},
): void {
  const limit = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT;
  const handler = handlerFor(ctx, clock);
  router.add(
    "GET",
    "/api/v1/openapi.json",
    handler(async () => ({ status: 200, body: openApiDocument(), headers: {} })),
  );
  router.add(
    "POST",
    "/api/v1/reports",
    handler((call) => postReport(ctx, call, limit)),
  );
  router.add(
    "POST",
    "/api/v1/reports/{trackingId}/events",
    handler((call) => postEvents(ctx, call, limit)),
  );
  router.add(
    "GET",
    "/api/v1/reports/{trackingId}",
    handler((call) => getReport(ctx, call)),
  );
  router.add(
    "GET",
    "/api/v1/opd/{code}/overdue",
    handler((call) => getOverdue(ctx, call)),
  );
}

// ---- every request: language, errors, token, access -------------------------------------------

/** Wraps a route: the request's language and `now`, ApiErrors as answers, no stack traces. */
function handlerFor(ctx: AppContext, clock: () => number) {
  return (fn: (call: Call) => Promise<Response>): RouteHandler =>
    async (req, url, params) => {
      const lang = requestLang(req, ctx.config.lang);
      try {
        return await fn({ req, url, params, lang, now: clock() });
      } catch (error) {
        if (error instanceof ApiError) {
          return { status: error.status, body: renderError(error, lang), headers: error.headers };
        }
        // Logged for operators; the client gets no detail and never a stack trace.
        ctx.logger.error("api request failed", {
          method: req.method,
          path: url.pathname,
          error: error instanceof Error ? error.message : String(error),
        });
        return {
          status: 500,
          body: {
            error: pick(lang, { id: "kesalahan internal server", en: "internal server error" }),
            code: "internal_error",
          },
          headers: {},
        };
      }
    };
}

/** The request's bearer token, known and not revoked (its last use recorded), or a 401. */
async function authenticate(ctx: AppContext, call: Call): Promise<ApiToken> {
  const header = call.req.headers.authorization;
  if (!header) {
    throw unauthorized(
      "token diperlukan: kirim header Authorization: Bearer <token>",
      "a token is required: send Authorization: Bearer <token>",
      false,
    );
  }
  const match = /^Bearer +(\S+) *$/i.exec(header);
  if (!match?.[1] || !TOKEN_PATTERN.test(match[1])) {
    throw unauthorized(
      "header Authorization tidak sesuai format: Bearer pnt_…",
      "malformed Authorization header: expected Bearer pnt_…",
      true,
    );
  }
  const token = await findTokenBySecret(ctx.db.knex, match[1]);
  if (!token || token.revokedAt !== null) {
    throw unauthorized("token tidak dikenal atau sudah dicabut", "unknown or revoked token", true);
  }
  await touchToken(ctx.db.knex, token, call.now);
  return token;
}

function mayRead(ctx: AppContext, token: ApiToken, opd: string | null): boolean {
  return token.scope === "admin" || token.opd === ownerOf(ctx, opd);
}

/**
 * Writing, the one rule for snapshots and events: an agency token must own the report before
 * the write (a new report: the agency it is disposed to), and every disposition it writes must
 * keep the report with that agency. Only the coordinator (for the reports it owns) and admin
 * tokens may move a report to another agency. `dispositions` are the targets of the
 * dispositions in the order the importer applies them (by instant).
 */
function mayWrite(
  ctx: AppContext,
  token: ApiToken,
  before: string | null | undefined,
  dispositions: readonly (string | null)[],
): boolean {
  if (token.scope === "admin") return true;
  if (before !== undefined && token.opd !== ownerOf(ctx, before)) return false;
  if (token.opd === ctx.config.coordinator) return true;
  return dispositions.every((target) => token.opd === ownerOf(ctx, target));
}

const denied = (trackingId: string): ApiError =>
  forbidden(
    `token ini hanya untuk laporan OPD-nya sendiri; laporan ${trackingId} bukan milik OPD token ini`,
    `this token is limited to its own agency's reports; report ${trackingId} is not its agency's`,
  );

const unknownReport = (trackingId: string): ApiError =>
  notFound(
    `laporan ${trackingId} tidak ditemukan; kirim dulu snapshot-nya (POST /api/v1/reports)`,
    `no report ${trackingId}; send its snapshot first (POST /api/v1/reports)`,
  );

/** An unknown agency code as a field problem, with the nearest known code when there is one. */
function checkAgency(
  ctx: AppContext,
  code: string | null | undefined,
  field: string,
  problems: FieldProblem[],
): void {
  if (code === null || code === undefined || ctx.calendars.agency(code)) return;
  const match = matchAgency(code, ctx.config.agencies);
  problems.push({
    field,
    reason: match.ok
      ? {
          id: `kode OPD "${code}" tidak dikenal; maksud Anda ${match.value.code}?`,
          en: `unknown agency code "${code}"; did you mean ${match.value.code}?`,
        }
      : {
          // The spreadsheet matcher's reason, without its advice about aliases.
          id: match.reason.id.replace(/\. Tambahkan alias.*$/, ""),
          en: match.reason.en.replace(/\. Add an alias.*$/, ""),
        },
  });
}

/** `?now=` of a read (an instant to look at), else the request's `now`. */
function parseNow(call: Call): Instant {
  const raw = call.url.searchParams.get("now");
  const value = validate(NowQuery, raw ?? undefined, "query.now");
  return value === undefined ? call.now : ms(value);
}

// ---- writes: one transaction, Idempotency-Key, recording rules, refusals -------------------------

/** Runs a write in a transaction, behind the Idempotency-Key when one is sent. */
async function idempotent(
  ctx: AppContext,
  call: Call,
  token: ApiToken,
  body: unknown,
  work: (db: Db) => Promise<Response>,
): Promise<Response> {
  const rawKey = call.req.headers["idempotency-key"];
  if (rawKey === undefined) return ctx.db.knex.transaction((trx) => work(trx));
  const key = validate(IdempotencyKey, rawKey, "header.Idempotency-Key");
  const hash = requestHash(call.req.method ?? "POST", call.url.pathname, body);
  const claim = await claimKey(ctx.db.knex, token.id, key, hash, call.now);
  if (claim.kind === "replay") {
    return {
      ...claim.response,
      headers: { ...claim.response.headers, "idempotent-replayed": "true" },
    };
  }
  try {
    return await ctx.db.knex.transaction(async (trx) => {
      const response = await work(trx);
      await completeKey(trx, claim.id, response);
      return response;
    });
  } catch (error) {
    if (error instanceof ApiError && error.status < 500) {
      // A refusal is an answer too: a retry gets the same one.
      await completeKey(ctx.db.knex, claim.id, {
        status: error.status,
        body: renderError(error, call.lang),
        headers: error.headers,
      });
    } else {
      await releaseKey(ctx.db.knex, claim.id).catch(() => undefined);
    }
    throw error;
  }
}

/** The importer on this transaction (its own transaction becomes a savepoint). */
const within = (ctx: AppContext, db: Db): AppContext => ({ ...ctx, db: { ...ctx.db, knex: db } });

/** The agency of a stored report, the row locked until the write ends; undefined when new. */
async function lockedAgency(
  db: Db,
  trackingId: string,
): Promise<{ opd: string | null } | undefined> {
  return (await db("reports")
    .select("opd")
    .where({ tracking_id: trackingId })
    .forUpdate()
    .first()) as { opd: string | null } | undefined;
}

/**
 * The recording rules of core/sla/recording.ts for the events this write adds: nothing dated
 * beyond the clock skew, and for agency tokens no milestone older than the backdating
 * tolerance on the agency's calendar. Admin tokens may backdate; that is logged, and every
 * event keeps its source and recording instant.
 */
function recordingRule(
  ctx: AppContext,
  token: ApiToken,
  trackingId: string,
  now: Instant,
): ImportOptions["admit"] {
  const policy = ctx.config.api;
  return (event, report) => {
    const opd = token.opd ?? report.opd ?? ctx.config.coordinator;
    const calendar = ctx.calendars.forAgency(opd);
    const zone = calendar.spec.zone;
    // The received instant is LAPOR!'s, not a milestone of the agency: never "backdated".
    const exempt = event.kind === "received";
    const problem = checkRecording(event.at, now, calendar, policy, exempt);
    if (problem?.kind === "future") {
      return {
        code: "in_future",
        reason: {
          id: `${formatIsoLocal(event.at, zone)} ada di masa depan: paling lambat ${formatIsoLocal(problem.latest, zone)} (jam server ditambah ${policy.clockSkewMs / 1000} detik); kirim peristiwa setelah terjadi`,
          en: `${formatIsoLocal(event.at, zone)} is in the future: at most ${formatIsoLocal(problem.latest, zone)} (the server's clock plus ${policy.clockSkewMs / 1000} seconds); send an event once it has happened`,
        },
      };
    }
    if (problem?.kind !== "backdated") return null;
    if (token.scope === "admin") {
      ctx.logger.info("backdated milestone recorded by an admin token", {
        trackingId,
        kind: event.kind,
        token: token.name,
      });
      return null;
    }
    const tolerance = policy.backdateTolerance;
    return {
      code: "backdated",
      reason: {
        id: `${formatIsoLocal(event.at, zone)} terlalu lampau: peristiwa harus dicatat paling lambat ${formatDurationText(tolerance, "id")} setelah terjadi (batasnya ${formatIsoLocal(problem.deadline, zone)}); peristiwa yang lebih lama hanya dapat dicatat oleh admin (token admin atau pantau import)`,
        en: `${formatIsoLocal(event.at, zone)} is too far in the past: an event must be recorded within ${formatDurationText(tolerance, "en")} of happening (the limit was ${formatIsoLocal(problem.deadline, zone)}); older events can only be recorded by an admin (an admin token or pantau import)`,
      },
    };
  };
}

/** The importer's rejections as the API's answer: 422 for a recording rule, else 409. */
function refusal(
  rejections: Rejection[],
  field: (p: { column: string; rowNumber: number }) => string,
): ApiError {
  // The first rejection the importer met decides the kind of answer.
  const ruled = rejections[0];
  if (ruled?.code !== undefined) {
    return new ApiError(
      422,
      ruled.code,
      ruled.code === "in_future"
        ? { id: "waktu peristiwa di masa depan", en: "event instant in the future" }
        : { id: "peristiwa dicatat terlambat", en: "event recorded too late" },
      rejections
        .filter((r) => r.code !== undefined)
        .map((p) => ({ field: field(p), reason: p.reason })),
    );
  }
  return contradiction(
    rejections.filter((r) => r.code === undefined),
    field,
  );
}

function contradiction(
  problems: { column: string; reason: Bilingual; rowNumber: number }[],
  field: (p: { column: string; rowNumber: number }) => string,
): ApiError {
  return new ApiError(
    409,
    "contradicts_history",
    { id: "bertentangan dengan riwayat laporan", en: "contradicts the report's history" },
    problems.map((p) => ({ field: field(p), reason: p.reason })),
  );
}

// ---- the routes ----------------------------------------------------------------------------------

/** POST /api/v1/reports: one snapshot through the importer; 201 created, 200 updated/unchanged. */
async function postReport(ctx: AppContext, call: Call, limit: number): Promise<Response> {
  const token = await authenticate(ctx, call);
  const body = await readJsonBody(call.req, limit);
  const input = validate(SnapshotInput, body);
  const problems: FieldProblem[] = [];
  checkAgency(ctx, input.opd, "opd", problems);
  if (problems.length > 0) throw validationError(problems);
  const snapshot = snapshotOf(input);
  return idempotent(ctx, call, token, body, async (db) => {
    const existing = await lockedAgency(db, snapshot.trackingId);
    if (!mayWrite(ctx, token, existing ? existing.opd : undefined, [snapshot.opd]))
      throw denied(snapshot.trackingId);
    const summary = await importItems(
      within(ctx, db),
      [{ rowNumber: 1, kind: "snapshot", snapshot }],
      {
        source: `api:${token.name}`,
        now: call.now,
        admit: recordingRule(ctx, token, snapshot.trackingId, call.now),
      },
    );
    if (summary.rejected > 0) {
      throw refusal(summary.rejections, (p) => SNAPSHOT_COLUMNS[p.column] ?? p.column);
    }
    const view = await reportView(ctx, db, snapshot.trackingId, call.now);
    if (!view) throw new Error("report vanished after import");
    const result =
      summary.reportsCreated > 0 ? "created" : summary.imported > 0 ? "updated" : "unchanged";
    const headers: Record<string, string> = {};
    if (result === "created") headers.location = `/api/v1/reports/${snapshot.trackingId}`;
    return {
      status: result === "created" ? 201 : 200,
      body: { result, eventsAdded: summary.eventsAdded, report: view },
      headers,
    };
  });
}

/**
 * The snapshot of a validated input, checked in itself: Kominfo's manual-intake rule (422) and
 * the consistency of its milestones (order, disposition without agency: 400).
 */
function snapshotOf(input: SnapshotInput): ReportSnapshot {
  const snapshot: ReportSnapshot = {
    trackingId: input.trackingId,
    receivedAt: ms(input.receivedAt),
    opd: input.opd,
    type: input.type as ReportSnapshot["type"],
    complexity: input.complexity as ReportSnapshot["complexity"],
    category: input.category,
    channel: input.channel as Channel | null,
    anonymous: input.anonymous,
    confidential: input.confidential,
    contactComplete: input.contactComplete,
    milestones: {},
  };
  const m = input.milestones;
  const milestones = {
    disposedAt: msOrUndefined(m.disposedAt),
    firstResponseAt: msOrUndefined(m.firstResponseAt),
    followedUpAt: msOrUndefined(m.followedUpAt),
    completedAt: msOrUndefined(m.completedAt),
    archivedAt: msOrUndefined(m.archivedAt),
  };
  for (const [k, v] of Object.entries(milestones)) {
    if (v !== undefined) (snapshot.milestones as Record<string, number>)[k] = v;
  }
  // Kominfo's manual-intake rule, as for spreadsheets.
  if (snapshot.channel && MANUAL_CHANNELS.includes(snapshot.channel) && !snapshot.contactComplete) {
    throw new ApiError(
      422,
      "reporter_data_incomplete",
      {
        id: `data pelapor belum lengkap: laporan dari kanal ${snapshot.channel} wajib memuat nomor telepon atau email pelapor; tanyakan kepada pelapor lalu kirim ulang`,
        en: `reporter contact data incomplete: a report from channel ${snapshot.channel} needs the reporter's phone number or email; ask the reporter, then send again`,
      },
      [
        {
          field: "contactComplete",
          reason: { id: "data pelapor belum lengkap", en: "reporter contact data incomplete" },
        },
      ],
    );
  }
  // Consistency of the snapshot in itself (order of milestones, disposition without agency).
  const self = planSnapshot(1, snapshot, undefined);
  if ("reason" in self) {
    throw validationError([
      { field: SNAPSHOT_COLUMNS[self.column] ?? self.column, reason: self.reason },
    ]);
  }
  return snapshot;
}

/** POST /api/v1/reports/{trackingId}/events: one event or a list, all or nothing. */
async function postEvents(ctx: AppContext, call: Call, limit: number): Promise<Response> {
  const token = await authenticate(ctx, call);
  const trackingId = validate(TrackingId, call.params.trackingId, "path.trackingId");
  const body = await readJsonBody(call.req, limit);
  const isList = Array.isArray(body);
  const inputs = isList ? validate(EventList, body) : [validate(EventInput, body)];
  const prefix = (i: number): string => (isList ? `[${i}].` : "");
  checkEventInputs(ctx, inputs, prefix);
  // In time order (stable): the order the importer applies them in and the order the
  // authorisation below looks at; row numbers keep each event's index in the request.
  const items: (ImportItem & { kind: "event" })[] = inputs
    .map((e, i) => ({
      rowNumber: i,
      kind: "event" as const,
      event: { trackingId, kind: e.kind, at: ms(e.at), opd: e.opd ?? null },
    }))
    .sort((a, b) => a.event.at - b.event.at);
  return idempotent(ctx, call, token, body, async (db) => {
    const existing = await lockedAgency(db, trackingId);
    if (!existing) throw unknownReport(trackingId);
    const dispositions = items
      .filter((i) => i.event.kind === "disposed" || i.event.kind === "redisposed")
      .map((i) => i.event.opd);
    if (!mayWrite(ctx, token, existing.opd, dispositions)) throw denied(trackingId);
    const summary = await importItems(within(ctx, db), items, {
      source: `api:${token.name}`,
      now: call.now,
      admit: recordingRule(ctx, token, trackingId, call.now),
    });
    if (summary.rejected > 0) {
      // All or nothing: the transaction is rolled back.
      throw refusal(
        summary.rejections,
        (p) => `${prefix(p.rowNumber)}${EVENT_COLUMNS[p.column] ?? p.column}`,
      );
    }
    const view = await reportView(ctx, db, trackingId, call.now);
    if (!view) throw new Error("report vanished after import");
    return {
      status: 200,
      body: {
        result: summary.eventsAdded > 0 ? "updated" : "unchanged",
        eventsAdded: summary.eventsAdded,
        report: view,
      },
      headers: {},
    };
  });
}

/** Known agencies, and a target agency on every disposition; 400 with every problem. */
function checkEventInputs(
  ctx: AppContext,
  inputs: readonly EventInput[],
  prefix: (i: number) => string,
): void {
  const problems: FieldProblem[] = [];
  inputs.forEach((e, i) => {
    checkAgency(ctx, e.opd, `${prefix(i)}opd`, problems);
    if ((e.kind === "disposed" || e.kind === "redisposed") && !e.opd) {
      problems.push({
        field: `${prefix(i)}opd`,
        reason: {
          id: "disposisi memerlukan OPD tujuan",
          en: "a disposition needs the target agency",
        },
      });
    }
  });
  if (problems.length > 0) throw validationError(problems);
}

/** GET /api/v1/reports/{trackingId}: the report and its clocks at `now` (or ?now=). */
async function getReport(ctx: AppContext, call: Call): Promise<Response> {
  const token = await authenticate(ctx, call);
  const trackingId = validate(TrackingId, call.params.trackingId, "path.trackingId");
  const now = parseNow(call);
  const view = await reportView(ctx, ctx.db.knex, trackingId, now);
  if (!view) throw unknownReport(trackingId);
  if (!mayRead(ctx, token, view.opd)) throw denied(trackingId);
  return { status: 200, body: view, headers: {} };
}

/** GET /api/v1/opd/{code}/overdue: the agency's overdue clocks (its own token or admin). */
async function getOverdue(ctx: AppContext, call: Call): Promise<Response> {
  const token = await authenticate(ctx, call);
  const code = validate(AgencyCode, call.params.code, "path.code");
  const now = parseNow(call);
  if (!ctx.calendars.agency(code)) {
    throw notFound(`OPD "${code}" tidak dikenal`, `unknown agency "${code}"`);
  }
  if (token.scope !== "admin" && token.opd !== code) {
    throw forbidden(
      `token ini hanya untuk OPD ${token.opd ?? "-"}`,
      `this token is limited to agency ${token.opd ?? "-"}`,
    );
  }
  return { status: 200, body: await overdueView(ctx, code, now), headers: {} };
}

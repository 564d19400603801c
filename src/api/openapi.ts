// The OpenAPI 3.1 document of the API, generated from the same zod schemas that validate the
// requests (schemas.ts); served without authentication at GET /api/v1/openapi.json.
import { z } from "zod";
import {
  AgencyCode,
  COMPONENT_IDS,
  EventsBody,
  IdempotencyKey,
  NowQuery,
  OverdueView,
  ReportView,
  SnapshotInput,
  TrackingId,
  WriteResult,
  ErrorBody,
} from "./schemas.js";

type Json = Record<string, unknown>;

const ref = (id: string): Json => ({ $ref: `#/components/schemas/${id}` });

function inline(schema: z.ZodType): Json {
  const { $schema: _s, ...rest } = z.toJSONSchema(schema, {
    target: "draft-2020-12",
    io: "input",
    unrepresentable: "any",
  }) as Json;
  return rest;
}

function components(): Record<string, Json> {
  // Touch the schemas so that their ids are registered before the registry is converted.
  void [SnapshotInput, EventsBody, ReportView, WriteResult, OverdueView, ErrorBody];
  const all = z.toJSONSchema(z.globalRegistry, {
    target: "draft-2020-12",
    io: "input",
    unrepresentable: "any",
    uri: (id) => `#/components/schemas/${id}`,
  }) as { schemas: Record<string, Json> };
  const out: Record<string, Json> = {};
  for (const id of COMPONENT_IDS) {
    const schema = all.schemas[id];
    if (!schema) throw new Error(`OpenAPI: schema ${id} is not registered`);
    const { $schema: _s, $id: _i, ...rest } = schema;
    out[id] = rest;
  }
  return out;
}

const json = (schema: Json): Json => ({ content: { "application/json": { schema } } });

const ERROR_TEXT: Record<number, string> = {
  400: "Validation failed: `field` and `reason` name the first problem, `errors` all of them.",
  401: "No, malformed, unknown or revoked bearer token (`WWW-Authenticate: Bearer`).",
  403: "The token's agency does not own this report or agency.",
  404: "Unknown report or agency (or route).",
  409: "Contradicts the stored history (the reason says how), or a request with the same Idempotency-Key is still being processed.",
  413: "The body is larger than the limit (1 MiB by default).",
  415: "Content-Type is not application/json.",
  422: "Manual-intake rule (reporter contact data incomplete), or an Idempotency-Key reused with a different body.",
};

function errors(...statuses: number[]): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const s of statuses) out[String(s)] = { description: ERROR_TEXT[s], ...json(ref("Error")) };
  return out;
}

const trackingIdParam = {
  name: "trackingId",
  in: "path",
  required: true,
  schema: inline(TrackingId),
};
const nowParam = { name: "now", in: "query", required: false, schema: inline(NowQuery) };
const idempotencyParam = {
  name: "Idempotency-Key",
  in: "header",
  required: false,
  description:
    "Makes a retried POST safe: the same key with the same body returns the stored response (header `Idempotent-Replayed: true`); with another body 422; while the first request runs 409. Keys are per token and expire after 24 hours.",
  schema: inline(IdempotencyKey),
};

let cached: Json | null = null;

export function openApiDocument(): Json {
  cached ??= {
    openapi: "3.1.0",
    info: {
      title: "Pantau API",
      version: "1",
      description:
        "Reports into Pantau (SLA monitoring for SP4N-LAPOR!, Kabupaten Malang) and their SLA clocks. See docs/api.md. Error texts follow Accept-Language (id or en), else the configured language.",
    },
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    servers: [{ url: "/" }],
    security: [{ bearer: [] }],
    paths: {
      "/api/v1/openapi.json": {
        get: {
          operationId: "openapi",
          summary: "This document",
          security: [],
          responses: { "200": { description: "OpenAPI 3.1 document" } },
        },
      },
      "/api/v1/reports": {
        post: {
          operationId: "putReport",
          summary: "Create or update a report snapshot",
          description:
            "Goes through the same import as spreadsheets: idempotent (an unchanged snapshot changes nothing), new milestones become events, a milestone that moves backwards or contradicts the history is refused with 409.",
          parameters: [idempotencyParam],
          requestBody: { required: true, ...json(ref("ReportSnapshot")) },
          responses: {
            "201": { description: "Created", ...json(ref("WriteResult")) },
            "200": { description: "Updated or unchanged", ...json(ref("WriteResult")) },
            ...errors(400, 401, 403, 409, 413, 415, 422),
          },
        },
      },
      "/api/v1/reports/{trackingId}/events": {
        post: {
          operationId: "addEvents",
          summary: "Add events to a report",
          description: "All or nothing: if one event contradicts the history, none is added (409).",
          parameters: [trackingIdParam, idempotencyParam],
          requestBody: { required: true, ...json(ref("ReportEvents")) },
          responses: {
            "200": { description: "Events added (or already known)", ...json(ref("WriteResult")) },
            ...errors(400, 401, 403, 404, 409, 413, 415, 422),
          },
        },
      },
      "/api/v1/reports/{trackingId}": {
        get: {
          operationId: "getReport",
          summary: "A report, its events and its clocks with due instants and states at `now`",
          parameters: [trackingIdParam, nowParam],
          responses: {
            "200": { description: "The report", ...json(ref("Report")) },
            ...errors(400, 401, 403, 404),
          },
        },
      },
      "/api/v1/opd/{code}/overdue": {
        get: {
          operationId: "overdue",
          summary: "The agency's open clocks that are breached at `now`",
          parameters: [
            { name: "code", in: "path", required: true, schema: inline(AgencyCode) },
            nowParam,
          ],
          responses: {
            "200": { description: "Overdue clocks", ...json(ref("Overdue")) },
            ...errors(400, 401, 403, 404),
          },
        },
      },
    },
    components: {
      securitySchemes: {
        bearer: {
          type: "http",
          scheme: "bearer",
          description: "A token from `pantau tokens create` (pnt_…).",
        },
      },
      schemas: components(),
    },
  };
  return cached;
}

// Errors of the HTTP API: a status, a stable machine code, a message in both languages and, for
// validation errors, the field (a JSON path such as "milestones.completedAt", "path.trackingId"
// or "query.now") and the reason. Rendered by renderError in the request's language; never a
// stack trace.
import { pick, type Bilingual, type Lang } from "../i18n/lang.js";

export interface FieldProblem {
  field: string;
  reason: Bilingual;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly text: Bilingual,
    readonly problems: readonly FieldProblem[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(text.en);
  }
}

/** The JSON body of every error response (see docs/api.md, "Errors"). */
export interface ErrorBody {
  error: string;
  code: string;
  field?: string;
  reason?: string;
  errors?: { field: string; reason: string }[];
}

export function renderError(error: ApiError, lang: Lang): ErrorBody {
  const body: ErrorBody = { error: pick(lang, error.text), code: error.code };
  const first = error.problems[0];
  if (first) {
    body.field = first.field;
    body.reason = pick(lang, first.reason);
    body.errors = error.problems.map((p) => ({ field: p.field, reason: pick(lang, p.reason) }));
  }
  return body;
}

export function validationError(problems: readonly FieldProblem[]): ApiError {
  return new ApiError(
    400,
    "validation_failed",
    { id: "permintaan tidak valid", en: "invalid request" },
    problems,
  );
}

export function fieldError(field: string, id: string, en: string): ApiError {
  return validationError([{ field, reason: { id, en } }]);
}

export const unauthorized = (id: string, en: string, invalidToken: boolean): ApiError =>
  new ApiError(401, "unauthorized", { id, en }, [], {
    "www-authenticate": invalidToken
      ? 'Bearer realm="pantau", error="invalid_token"'
      : 'Bearer realm="pantau"',
  });

export const forbidden = (id: string, en: string): ApiError =>
  new ApiError(403, "forbidden", { id, en });

export const notFound = (id: string, en: string): ApiError =>
  new ApiError(404, "not_found", { id, en });

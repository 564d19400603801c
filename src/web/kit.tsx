// What every web route shares, per request: the Call (URL, language, cookies, `now` read once),
// the answers (a page, a redirect, an error page in the page's language), the session lookup that
// decides access from the officer directory at `now`, and the wrappers that turn a route's
// function into a router handler. A route function only reads its data and renders.
//
// Invariants: a handler never throws to the router — a 4xx HttpError becomes an error page in the
// page's language, anything else is logged (path and message only) and becomes a 500 page; a
// session whose owner lost their appointment (mutasi) or whose admin token was revoked is ended
// on the server at the first request that sees it.
import type { IncomingMessage } from "node:http";
import type { VNode } from "preact";
import { render } from "preact-render-to-string";
import type { Instant } from "../core/types.js";
import type { ResponseHeaders, RouteHandler } from "../http/server.js";
import type { Lang } from "../i18n/lang.js";
import { loadAppointments } from "../officers/officerStore.js";
import { maySeeOperations, officerAccess, tokenAccess, type Access } from "./auth/access.js";
import { SECRET_PATTERN } from "./auth/secrets.js";
import { endSession, findSession, type Session } from "./auth/sessions.js";
import type { WebDeps } from "./data.js";
import { translator } from "./format.js";
import { LANG_COOKIE, SESSION_COOKIE, cookie, pageHeaders, pageLang, readCookies } from "./http.js";
import type { PageFrame, Viewer } from "./pages/layout.js";
import { MessagePage } from "./pages/signin.js";

export interface WebOptions {
  clock: () => Instant;
  /** The address people open (links in emails); https:// makes cookies Secure. */
  baseUrl: () => string;
  /** Called after a sign-in email was queued: the daemon delivers it now, not at the next tick. */
  onSignInQueued?: () => void;
}

/** One request as the routes see it. */
export interface Call {
  req: IncomingMessage;
  url: URL;
  params: Record<string, string>;
  lang: Lang;
  now: Instant;
  cookies: Record<string, string>;
  /** Set-Cookie headers to send with the answer. */
  setCookies: string[];
  secure: boolean;
}

export interface SignedIn {
  session: Session;
  access: Access;
}

export type Answer = { status: number; body: string | Buffer; headers?: ResponseHeaders };

export const html = (node: VNode): string => `<!DOCTYPE html>${render(node)}`;

const STATUS_TITLES: Record<number, { id: string; en: string }> = {
  400: { id: "Permintaan tidak valid", en: "Bad request" },
  403: { id: "Tidak berwenang", en: "Not allowed" },
  404: { id: "Tidak ditemukan", en: "Not found" },
  413: { id: "Terlalu besar", en: "Too large" },
  415: { id: "Format tidak didukung", en: "Unsupported format" },
  429: { id: "Terlalu banyak permintaan", en: "Too many requests" },
  500: { id: "Kesalahan server", en: "Server error" },
};

/** The shared request handling of the web routes (one per registration). */
export class WebKit {
  constructor(
    readonly deps: WebDeps,
    readonly options: WebOptions,
  ) {}

  get ctx(): WebDeps["ctx"] {
    return this.deps.ctx;
  }

  get config(): WebDeps["ctx"]["config"] {
    return this.deps.ctx.config;
  }

  frame(call: Call, viewer: Viewer | null): PageFrame {
    return { lang: call.lang, regency: this.config.regency, url: call.url, viewer };
  }

  viewerOf(s: SignedIn): Viewer {
    return {
      name: s.access.displayName,
      csrf: s.session.csrf,
      agencies: s.access.scope === "all" ? "all" : s.access.agencies,
      operations: maySeeOperations(s.access),
    };
  }

  answer(call: Call, status: number, body: string | Buffer, headers: ResponseHeaders = {}): Answer {
    const all = pageHeaders(call.secure, headers);
    if (call.setCookies.length > 0) all["set-cookie"] = call.setCookies;
    return { status, body, headers: all };
  }

  /** 200 with a rendered page. */
  ok(call: Call, node: VNode): Answer {
    return this.answer(call, 200, html(node));
  }

  redirect(call: Call, location: string): Answer {
    return this.answer(call, 303, "", { location, "content-type": "text/plain; charset=utf-8" });
  }

  /** An error or notice page with a link onwards (the summary when signed in, else sign-in). */
  message(call: Call, status: number, text: string, viewer: Viewer | null = null): Answer {
    const t = translator(call.lang);
    const title = STATUS_TITLES[status] ?? STATUS_TITLES[400]!;
    const next = viewer
      ? { href: "/", label: t("Ke ringkasan", "To the summary") }
      : { href: "/masuk", label: t("Ke halaman masuk", "To the sign-in page") };
    const page = (
      <MessagePage
        {...this.frame(call, viewer)}
        title={t(title.id, title.en)}
        message={text}
        next={next}
      />
    );
    return this.answer(call, status, html(page));
  }

  /** 403 for a page of an agency the signed-in person may not see. */
  forbidden(call: Call, s: SignedIn, code: string): Answer {
    const t = translator(call.lang);
    return this.message(
      call,
      403,
      t(
        `Halaman ini hanya untuk pejabat OPD ${code}, admin koordinator dan pimpinan. Anda masuk sebagai ${s.access.displayName}.`,
        `This page is for officers of agency ${code}, the coordinator and leadership only. You are signed in as ${s.access.displayName}.`,
      ),
      this.viewerOf(s),
    );
  }

  /** A route open to everyone: builds the Call, and turns every failure into an error page. */
  handler(fn: (call: Call) => Promise<Answer>): RouteHandler {
    return async (req, url, params) => {
      const call = this.callOf(req, url, params);
      try {
        return await fn(call);
      } catch (error) {
        return this.failure(call, error);
      }
    };
  }

  /** A route for signed-in people; others go to the sign-in page. */
  signedInOnly(fn: (call: Call, s: SignedIn) => Promise<Answer>): RouteHandler {
    return this.handler(async (call) => {
      const s = await this.signedIn(call);
      if (!s) {
        if (call.cookies[SESSION_COOKIE])
          call.setCookies.push(cookie(SESSION_COOKIE, "", { secure: call.secure, maxAge: 0 }));
        return this.redirect(call, "/masuk");
      }
      return fn(call, s);
    });
  }

  /** The signed-in session and its access now, or null (signed out, expired, access ended). */
  async signedIn(call: Call): Promise<SignedIn | null> {
    const secret = call.cookies[SESSION_COOKIE];
    if (!secret || !SECRET_PATTERN.test(secret)) return null;
    const knex = this.ctx.db.knex;
    const session = await findSession(knex, secret, call.now);
    if (!session) return null;
    const access = await this.accessOf(session, call.now);
    if (!access) {
      // Mutasi or a revoked token: the session ends with the access.
      await endSession(knex, session.id, call.now);
      return null;
    }
    return { session, access };
  }

  private async accessOf(session: Session, now: Instant): Promise<Access | null> {
    const knex = this.ctx.db.knex;
    if (session.owner.kind === "officer")
      return officerAccess(await loadAppointments(knex), session.owner.email, now);
    const token = (await knex("api_tokens")
      .select("name", "scope", "revoked_at")
      .where({ id: session.owner.tokenId })
      .first()) as { name: string; scope: string; revoked_at: Date | null } | undefined;
    return token && token.scope === "admin" && token.revoked_at === null
      ? tokenAccess(token.name)
      : null;
  }

  private callOf(req: IncomingMessage, url: URL, params: Record<string, string>): Call {
    const cookies = readCookies(req);
    const call: Call = {
      req,
      url,
      params,
      lang: pageLang(url, cookies, this.config.lang),
      now: this.options.clock(),
      cookies,
      setCookies: [],
      secure: this.options.baseUrl().startsWith("https://"),
    };
    const asked = url.searchParams.get("lang");
    if (asked === "id" || asked === "en")
      call.setCookies.push(
        cookie(LANG_COOKIE, asked, { secure: call.secure, maxAge: 365 * 86_400 }),
      );
    return call;
  }

  private failure(call: Call, error: unknown): Answer {
    const declared = (error as { status?: unknown } | null)?.status;
    if (typeof declared === "number" && declared >= 400 && declared < 500) {
      const text = error instanceof Error ? error.message : String(error);
      return this.message(call, declared, localize(text, call.lang));
    }
    this.ctx.logger.error("web page failed", {
      path: call.url.pathname,
      error: error instanceof Error ? error.message : String(error),
    });
    const t = translator(call.lang);
    return this.message(
      call,
      500,
      t(
        "Terjadi kesalahan di server; coba lagi nanti atau hubungi operator.",
        "Something went wrong on the server; try again later or contact the operator.",
      ),
    );
  }
}

/** "Indonesian. / English." messages of HttpError: the half in the page's language. */
function localize(text: string, lang: Lang): string {
  const parts = text.split(" / ");
  if (parts.length !== 2) return text;
  return lang === "en" ? (parts[1] ?? text) : (parts[0] ?? text);
}

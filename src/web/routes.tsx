// The web pages (Papan Kepatuhan) on the daemon's HTTP server, registered with one call:
// registerWebRoutes(router, deps, options). Server-rendered HTML (preact, escaped by default),
// no script; every page answers — a failure is an error page, never a crash or a stack trace.
//
// Routes: GET / (summary), /opd/{code}, /laporan/{trackingId}, /tren, /tren/unduh, /operasional,
// /publik (web.public), /web/style.css; sign-in: GET|POST /masuk, POST /masuk/token,
// GET|POST /masuk/tautan, POST /keluar.
//
// Invariants: every POST carries a CSRF token (the session's, or before sign-in a double-submit
// cookie) and is refused without it; what a session may see is decided at each request from the
// officer directory at `now` (src/web/auth/access.ts); sign-in links are asked for at most
// LINKS_PER_ADDRESS times per address and CLIENT_ATTEMPTS times per client per window.
import type { IncomingMessage } from "node:http";
import type { VNode } from "preact";
import { render } from "preact-render-to-string";
import { explainView, ReportNotFoundError } from "../app/statusService.js";
import { reportUrl } from "../config/index.js";
import type { Instant } from "../core/types.js";
import {
  HttpError,
  type HttpRouter,
  type ResponseHeaders,
  type RouteHandler,
} from "../http/server.js";
import { loadAppointments } from "../officers/officerStore.js";
import { TOKEN_PATTERN, findTokenBySecret, touchToken } from "../api/tokens.js";
import type { Lang } from "../i18n/lang.js";
import {
  monthlyViews,
  parseMonth,
  renderCsv,
  renderXlsx,
  yearlyViews,
  type YearlySort,
} from "../reports/index.js";
import {
  maySeeAgency,
  maySeeOperations,
  officerAccess,
  tokenAccess,
  type Access,
} from "./auth/access.js";
import { consumeSignInLink, requestSignInLink, type LinkSettings } from "./auth/links.js";
import { RateLimiter } from "./auth/rateLimit.js";
import { SECRET_PATTERN, newSecret, sameSecret } from "./auth/secrets.js";
import {
  createSession,
  endSession,
  findSession,
  recentSignIns,
  type Session,
} from "./auth/sessions.js";
import {
  agencyOf,
  monthOf,
  monthSeries,
  monthlyOf,
  operationsOf,
  summaryOf,
  yearSpan,
  yearlyOf,
  type WebDeps,
} from "./data.js";
import { PageCache } from "./cache.js";
import { translator } from "./format.js";
import {
  LANG_COOKIE,
  PRE_COOKIE,
  SESSION_COOKIE,
  clientOf,
  cookie,
  pageHeaders,
  pageLang,
  readCookies,
  readForm,
} from "./http.js";
import { AgencyPage } from "./pages/agency.js";
import type { PageFrame, Viewer } from "./pages/layout.js";
import { OperationsPage } from "./pages/operations.js";
import { ReportPage } from "./pages/report.js";
import { LinkConfirmPage, MessagePage, SignInPage } from "./pages/signin.js";
import { SummaryPage } from "./pages/summary.js";
import { TrendsPage, type TrendsQuery } from "./pages/trends.js";
import { ICON, STYLESHEET } from "./style.js";

export { type WebDeps } from "./data.js";

/** Sign-in links one address may ask for per window, and attempts (links, tokens) per client. */
export const LINKS_PER_ADDRESS = 3;
export const CLIENT_ATTEMPTS = 20;
export const RATE_WINDOW_MS = 15 * 60_000;

export interface WebOptions {
  clock: () => Instant;
  /** The address people open (links in emails); https:// makes cookies Secure. */
  baseUrl: () => string;
  /** Called after a sign-in email was queued: the daemon delivers it now, not at the next tick. */
  onSignInQueued?: () => void;
}

/** Every page route (the tests open each). */
export const WEB_ROUTES = [
  "/",
  "/opd/{code}",
  "/laporan/{trackingId}",
  "/tren",
  "/tren/unduh",
  "/operasional",
  "/publik",
  "/masuk",
  "/masuk/tautan",
] as const;

interface Call {
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

interface SignedIn {
  session: Session;
  access: Access;
}

type Answer = { status: number; body: string | Buffer; headers?: ResponseHeaders };

const html = (node: VNode): string => `<!DOCTYPE html>${render(node)}`;

const STATUS_TITLES: Record<number, { id: string; en: string }> = {
  400: { id: "Permintaan tidak valid", en: "Bad request" },
  403: { id: "Tidak berwenang", en: "Not allowed" },
  404: { id: "Tidak ditemukan", en: "Not found" },
  413: { id: "Terlalu besar", en: "Too large" },
  415: { id: "Format tidak didukung", en: "Unsupported format" },
  429: { id: "Terlalu banyak permintaan", en: "Too many requests" },
  500: { id: "Kesalahan server", en: "Server error" },
};

export function registerWebRoutes(router: HttpRouter, deps: WebDeps, options: WebOptions): void {
  const { ctx } = deps;
  const config = ctx.config;
  const byAddress = new RateLimiter(LINKS_PER_ADDRESS, RATE_WINDOW_MS);
  const byClient = new RateLimiter(CLIENT_ATTEMPTS, RATE_WINDOW_MS);
  const cache = new PageCache();

  const frame = (call: Call, viewer: Viewer | null): PageFrame => ({
    lang: call.lang,
    regency: config.regency,
    url: call.url,
    viewer,
  });

  const viewerOf = (s: SignedIn): Viewer => ({
    name: s.access.displayName,
    csrf: s.session.csrf,
    agencies: s.access.scope === "all" ? "all" : s.access.agencies,
    operations: maySeeOperations(s.access),
  });

  function answer(
    call: Call,
    status: number,
    body: string | Buffer,
    headers: ResponseHeaders = {},
  ): Answer {
    const all = pageHeaders(call.secure, headers);
    if (call.setCookies.length > 0) all["set-cookie"] = call.setCookies;
    return { status, body, headers: all };
  }

  function redirect(call: Call, location: string): Answer {
    return answer(call, 303, "", { location, "content-type": "text/plain; charset=utf-8" });
  }

  function message(call: Call, status: number, text: string, viewer: Viewer | null = null): Answer {
    const t = translator(call.lang);
    const title = STATUS_TITLES[status] ?? STATUS_TITLES[400]!;
    const next = viewer
      ? { href: "/", label: t("Ke ringkasan", "To the summary") }
      : { href: "/masuk", label: t("Ke halaman masuk", "To the sign-in page") };
    return answer(
      call,
      status,
      html(
        <MessagePage
          {...frame(call, viewer)}
          title={t(title.id, title.en)}
          message={text}
          next={next}
        />,
      ),
    );
  }

  const handler =
    (fn: (call: Call) => Promise<Answer>): RouteHandler =>
    async (req, url, params) => {
      const cookies = readCookies(req);
      const asked = url.searchParams.get("lang");
      const call: Call = {
        req,
        url,
        params,
        lang: pageLang(url, cookies, config.lang),
        now: options.clock(),
        cookies,
        setCookies: [],
        secure: options.baseUrl().startsWith("https://"),
      };
      if (asked === "id" || asked === "en") {
        call.setCookies.push(
          cookie(LANG_COOKIE, asked, { secure: call.secure, maxAge: 365 * 86_400 }),
        );
      }
      try {
        return await fn(call);
      } catch (error) {
        const declared = (error as { status?: unknown } | null)?.status;
        if (typeof declared === "number" && declared >= 400 && declared < 500) {
          const text = error instanceof Error ? error.message : String(error);
          return message(call, declared, localize(text, call.lang));
        }
        ctx.logger.error("web page failed", {
          path: url.pathname,
          error: error instanceof Error ? error.message : String(error),
        });
        const t = translator(call.lang);
        return message(
          call,
          500,
          t(
            "Terjadi kesalahan di server; coba lagi nanti atau hubungi operator.",
            "Something went wrong on the server; try again later or contact the operator.",
          ),
        );
      }
    };

  /** The signed-in session and its access now, or null (signed out, expired, access ended). */
  async function signedIn(call: Call): Promise<SignedIn | null> {
    const secret = call.cookies[SESSION_COOKIE];
    if (!secret || !SECRET_PATTERN.test(secret)) return null;
    const session = await findSession(ctx.db.knex, secret, call.now);
    if (!session) return null;
    let access: Access | null = null;
    if (session.owner.kind === "officer") {
      access = officerAccess(await loadAppointments(ctx.db.knex), session.owner.email, call.now);
    } else {
      const token = (await ctx.db
        .knex("api_tokens")
        .select("name", "scope", "revoked_at")
        .where({ id: session.owner.tokenId })
        .first()) as { name: string; scope: string; revoked_at: Date | null } | undefined;
      if (token && token.scope === "admin" && token.revoked_at === null)
        access = tokenAccess(token.name);
    }
    if (!access) {
      // Mutasi or a revoked token: the session ends with the access.
      await endSession(ctx.db.knex, session.id, call.now);
      return null;
    }
    return { session, access };
  }

  /** A page for signed-in people; others go to the sign-in page. */
  const page = (fn: (call: Call, s: SignedIn) => Promise<Answer>): RouteHandler =>
    handler(async (call) => {
      const s = await signedIn(call);
      if (!s) {
        if (call.cookies[SESSION_COOKIE])
          call.setCookies.push(cookie(SESSION_COOKIE, "", { secure: call.secure, maxAge: 0 }));
        return redirect(call, "/masuk");
      }
      return fn(call, s);
    });

  const forbidden = (call: Call, s: SignedIn, code: string): Answer => {
    const t = translator(call.lang);
    return message(
      call,
      403,
      t(
        `Halaman ini hanya untuk pejabat OPD ${code}, admin koordinator dan pimpinan. Anda masuk sebagai ${s.access.displayName}.`,
        `This page is for officers of agency ${code}, the coordinator and leadership only. You are signed in as ${s.access.displayName}.`,
      ),
      viewerOf(s),
    );
  };

  // --- static -----------------------------------------------------------------------------------
  router.add("GET", "/web/style.css", async () => ({
    status: 200,
    body: STYLESHEET,
    headers: {
      "content-type": "text/css; charset=utf-8",
      "cache-control": "public, max-age=3600",
      "x-content-type-options": "nosniff",
    },
  }));

  router.add("GET", "/web/icon.svg", async () => ({
    status: 200,
    body: ICON,
    headers: {
      "content-type": "image/svg+xml",
      "cache-control": "public, max-age=86400",
      "x-content-type-options": "nosniff",
    },
  }));

  // --- pages ------------------------------------------------------------------------------------
  router.add(
    "GET",
    "/",
    page(async (call, s) => {
      const summary = await cache.get("summary", call.now, (at) => summaryOf(deps, at));
      return answer(
        call,
        200,
        html(
          <SummaryPage
            {...frame(call, viewerOf(s))}
            summary={summary}
            zone={config.defaultZone}
            inactiveDays={config.web.inactiveDays}
            agencyLink={(code) => maySeeAgency(s.access, code)}
          />,
        ),
      );
    }),
  );

  router.add(
    "GET",
    "/publik",
    handler(async (call) => {
      if (!config.web.public)
        throw new HttpError(
          404,
          "Halaman publik tidak diaktifkan (web.public). / The public page is not enabled (web.public).",
        );
      const summary = await cache.get("summary", call.now, (at) => summaryOf(deps, at));
      return answer(
        call,
        200,
        html(
          <SummaryPage
            {...frame(call, null)}
            summary={summary}
            zone={config.defaultZone}
            inactiveDays={config.web.inactiveDays}
            agencyLink={() => false}
            publicPage
          />,
        ),
      );
    }),
  );

  router.add(
    "GET",
    "/opd/{code}",
    page(async (call, s) => {
      const code = call.params.code ?? "";
      if (!ctx.calendars.agency(code)) {
        const t = translator(call.lang);
        return message(
          call,
          404,
          t(`OPD "${code}" tidak ada di direktori.`, `No agency "${code}" in the directory.`),
          viewerOf(s),
        );
      }
      if (!maySeeAgency(s.access, code)) return forbidden(call, s, code);
      const detail = await cache.get(`agency|${code}`, call.now, (at) => agencyOf(ctx, code, at));
      if (!detail) throw new HttpError(404, `unknown agency ${code}`);
      return answer(
        call,
        200,
        html(
          <AgencyPage
            {...frame(call, viewerOf(s))}
            detail={detail}
            reportUrl={(id) => reportUrl(config, id)}
          />,
        ),
      );
    }),
  );

  router.add(
    "GET",
    "/laporan/{trackingId}",
    page(async (call, s) => {
      const id = call.params.trackingId ?? "";
      const t = translator(call.lang);
      const notFound = () =>
        message(
          call,
          404,
          t(
            `Laporan ${id} tidak ditemukan; periksa ID tracking-nya.`,
            `No report ${id}; check the tracking ID.`,
          ),
          viewerOf(s),
        );
      if (!/^[0-9]{1,20}$/.test(id)) return notFound();
      const owner = (await ctx.db
        .knex("reports")
        .select("opd")
        .where({ tracking_id: id })
        .first()) as { opd: string | null } | undefined;
      if (!owner) return notFound();
      // Before a disposition the report is the coordinator's, as for API tokens.
      const opd = owner.opd ?? config.coordinator;
      if (!maySeeAgency(s.access, opd)) return forbidden(call, s, opd);
      let doc;
      try {
        doc = await explainView(ctx, id, call.now, call.lang);
      } catch (error) {
        if (error instanceof ReportNotFoundError) return notFound();
        throw error;
      }
      return answer(
        call,
        200,
        html(
          <ReportPage
            {...frame(call, viewerOf(s))}
            doc={doc}
            opd={opd}
            laporUrl={reportUrl(config, id)}
          />,
        ),
      );
    }),
  );

  async function trendsQuery(call: Call): Promise<TrendsQuery> {
    const span = await yearSpan(ctx, call.now);
    const year = (name: string, fallback: number): number => {
      const raw = call.url.searchParams.get(name);
      if (raw === null || raw === "") return fallback;
      if (!/^\d{4}$/.test(raw) || Number(raw) < 2000 || Number(raw) > 2100)
        throw new HttpError(
          400,
          `Tahun "${raw}" tidak valid: tulis empat angka, mis. 2025. / Year "${raw}" is invalid: write four digits, e.g. 2025.`,
        );
      return Number(raw);
    };
    const to = year("sampai", span.last);
    const from = year("dari", Math.max(span.first, to - 2));
    if (from > to)
      throw new HttpError(
        400,
        `Tahun awal ${from} sesudah tahun akhir ${to}. / First year ${from} is after last year ${to}.`,
      );
    if (to - from > 20)
      throw new HttpError(400, "Paling banyak 20 tahun sekaligus. / At most 20 years at once.");
    const sortRaw = call.url.searchParams.get("urut");
    const sort: YearlySort =
      sortRaw === "compliance" || sortRaw === "volume" ? sortRaw : "improvement";
    const monthRaw = call.url.searchParams.get("bulan");
    const month =
      monthRaw === null || monthRaw === "" ? monthOf(call.now, config.defaultZone) : monthRaw;
    if (!parseMonth(month))
      throw new HttpError(
        400,
        `Bulan "${month}" tidak valid: tulis yyyy-mm, mis. 2026-10. / Month "${month}" is invalid: write yyyy-mm, e.g. 2026-10.`,
      );
    return { from, to, sort, month };
  }

  router.add(
    "GET",
    "/tren",
    page(async (call, s) => {
      const q = await trendsQuery(call);
      const renderCtx = { lang: call.lang, regency: config.regency };
      const [yearly, monthly, months] = await cache.get(
        `trends|${q.from}|${q.to}|${q.sort}|${q.month}`,
        call.now,
        (at) =>
          Promise.all([
            yearlyOf(ctx, q.from, q.to, q.sort),
            monthlyOf(ctx, q.month),
            monthSeries(ctx, at, null),
          ]),
      );
      return answer(
        call,
        200,
        html(
          <TrendsPage
            {...frame(call, viewerOf(s))}
            q={q}
            yearly={yearly}
            yearlyRendered={yearlyViews(yearly, renderCtx)}
            monthly={monthly}
            monthlyRendered={monthlyViews(monthly, renderCtx)}
            months={months}
          />,
        ),
      );
    }),
  );

  router.add(
    "GET",
    "/tren/unduh",
    page(async (call) => {
      const q = await trendsQuery(call);
      const kind = call.url.searchParams.get("laporan");
      const format = call.url.searchParams.get("format");
      if ((kind !== "tahunan" && kind !== "bulanan") || (format !== "csv" && format !== "xlsx"))
        throw new HttpError(
          400,
          "Pilih laporan=tahunan|bulanan dan format=csv|xlsx. / Choose laporan=tahunan|bulanan and format=csv|xlsx.",
        );
      const renderCtx = { lang: call.lang, regency: config.regency };
      const rendered =
        kind === "tahunan"
          ? yearlyViews(await yearlyOf(ctx, q.from, q.to, q.sort), renderCtx)
          : monthlyViews(await monthlyOf(ctx, q.month), renderCtx);
      const name =
        kind === "tahunan" ? `pantau-tahunan-${q.from}-${q.to}` : `pantau-bulanan-${q.month}`;
      const body =
        format === "xlsx" ? await renderXlsx(rendered, call.lang) : renderCsv(rendered, call.lang);
      return answer(call, 200, body, {
        "content-type":
          format === "xlsx"
            ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            : "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="${name}.${format}"`,
      });
    }),
  );

  router.add(
    "GET",
    "/operasional",
    page(async (call, s) => {
      if (!maySeeOperations(s.access)) return forbidden(call, s, config.coordinator);
      const ops = await operationsOf(deps, call.now);
      // Who used the pages: for admin tokens and the coordinator (operators), not leadership.
      const seesUsers = s.access.admin || s.access.roles.includes("coordinator");
      const signIns = seesUsers
        ? await recentSignIns(ctx.db.knex, call.now - 7 * 86_400_000)
        : null;
      return answer(
        call,
        200,
        html(
          <OperationsPage
            {...frame(call, viewerOf(s))}
            ops={ops}
            zone={config.defaultZone}
            signIns={signIns}
          />,
        ),
      );
    }),
  );

  // --- sign-in ----------------------------------------------------------------------------------
  /** The pre-session CSRF token: the cookie's, or a new one set with this answer. */
  function preToken(call: Call): string {
    const existing = call.cookies[PRE_COOKIE];
    if (existing && SECRET_PATTERN.test(existing)) return existing;
    const fresh = newSecret();
    call.setCookies.push(cookie(PRE_COOKIE, fresh, { secure: call.secure }));
    call.cookies[PRE_COOKIE] = fresh;
    return fresh;
  }

  function checkPreToken(call: Call, form: URLSearchParams): void {
    const sent = form.get("csrf") ?? "";
    const expected = call.cookies[PRE_COOKIE] ?? "";
    if (!expected || !sameSecret(sent, expected))
      throw new HttpError(
        403,
        "Formulir kedaluwarsa atau bukan dari halaman ini (token CSRF tidak cocok): buka halaman masuk lagi lalu kirim ulang. / The form expired or did not come from this page (CSRF token mismatch): open the sign-in page again and resend.",
      );
  }

  const signInForm = (call: Call, status = 200, problem?: string, email?: string): Answer =>
    answer(
      call,
      status,
      html(
        <SignInPage {...frame(call, null)} csrf={preToken(call)} problem={problem} email={email} />,
      ),
    );

  function limited(call: Call, retryAt: Instant, address: boolean): Answer {
    const t = translator(call.lang);
    const minutes = Math.max(1, Math.ceil((retryAt - call.now) / 60_000));
    return signInForm(
      call,
      429,
      address
        ? t(
            `Sudah ${LINKS_PER_ADDRESS} tautan diminta untuk alamat ini dalam 15 menit. Periksa kotak masuk (dan folder spam), atau coba lagi dalam ${minutes} menit.`,
            `${LINKS_PER_ADDRESS} links were already asked for this address within 15 minutes. Check your inbox (and spam folder), or try again in ${minutes} minutes.`,
          )
        : t(
            `Terlalu banyak percobaan masuk dari perangkat ini. Coba lagi dalam ${minutes} menit.`,
            `Too many sign-in attempts from this device. Try again in ${minutes} minutes.`,
          ),
    );
  }

  async function startSession(
    call: Call,
    owner: Parameters<typeof createSession>[1],
  ): Promise<Answer> {
    const { secret } = await createSession(ctx.db.knex, owner, call.now, config.web.sessionMs);
    call.setCookies.push(
      cookie(SESSION_COOKIE, secret, {
        secure: call.secure,
        maxAge: Math.floor(config.web.sessionMs / 1000),
      }),
    );
    call.setCookies.push(cookie(PRE_COOKIE, "", { secure: call.secure, maxAge: 0 }));
    return redirect(call, "/");
  }

  router.add(
    "GET",
    "/masuk",
    handler(async (call) => {
      if (await signedIn(call)) return redirect(call, "/");
      return signInForm(call);
    }),
  );

  router.add(
    "POST",
    "/masuk",
    handler(async (call) => {
      const form = await readForm(call.req);
      checkPreToken(call, form);
      const t = translator(call.lang);
      const email = (form.get("email") ?? "").trim();
      const client = byClient.take(clientOf(call.req), call.now);
      if (!client.allowed) return limited(call, client.retryAt, false);
      const settings: LinkSettings = {
        regency: config.regency,
        zone: config.defaultZone,
        baseUrl: options.baseUrl(),
        linkMs: config.web.linkMs,
        lang: call.lang,
      };
      if (email === "" || email.length > 254 || /[\r\n]/.test(email)) {
        return signInForm(
          call,
          400,
          t(
            "Tulis alamat email Anda, mis. nama@malangkab.go.id.",
            "Write your email address, e.g. name@malangkab.go.id.",
          ),
          email.slice(0, 254),
        );
      }
      const address = byAddress.take(email.toLowerCase(), call.now);
      if (!address.allowed) return limited(call, address.retryAt, true);
      const result = await requestSignInLink(ctx.db.knex, email, call.now, settings);
      if (result.kind === "invalid") {
        return signInForm(
          call,
          400,
          t(
            `"${email}" bukan alamat email yang valid; periksa penulisannya, mis. nama@malangkab.go.id.`,
            `"${email}" is not a valid email address; check it, e.g. name@malangkab.go.id.`,
          ),
          email,
        );
      }
      if (result.kind === "queued") {
        ctx.logger.info("web sign-in link queued");
        options.onSignInQueued?.();
      }
      const minutes = Math.round(config.web.linkMs / 60_000);
      // The same answer whether or not the address is in the directory.
      return answer(
        call,
        200,
        html(
          <MessagePage
            {...frame(call, null)}
            title={t("Periksa email Anda", "Check your email")}
            message={t(
              `Jika ${email} terdaftar sebagai pejabat di direktori, tautan masuk telah dikirim ke alamat itu. Tautan berlaku ${minutes} menit dan hanya sekali pakai. Tidak menerima email? Tanyakan admin koordinator apakah alamat Anda tercatat.`,
              `If ${email} is registered as an officer in the directory, a sign-in link was sent to it. The link is valid for ${minutes} minutes and works once. No email? Ask the coordinator whether your address is on record.`,
            )}
          />,
        ),
      );
    }),
  );

  router.add(
    "POST",
    "/masuk/token",
    handler(async (call) => {
      const form = await readForm(call.req);
      checkPreToken(call, form);
      const t = translator(call.lang);
      const client = byClient.take(clientOf(call.req), call.now);
      if (!client.allowed) return limited(call, client.retryAt, false);
      const secret = (form.get("token") ?? "").trim();
      const token = TOKEN_PATTERN.test(secret)
        ? await findTokenBySecret(ctx.db.knex, secret)
        : null;
      if (!token || token.revokedAt !== null || token.scope !== "admin") {
        return signInForm(
          call,
          403,
          t(
            "Token tidak dikenal, sudah dicabut, atau bukan token admin. Buat token admin dengan `pantau tokens create --name NAMA --admin`.",
            "Unknown or revoked token, or not an admin token. Create an admin token with `pantau tokens create --name NAME --admin`.",
          ),
        );
      }
      await touchToken(ctx.db.knex, token, call.now);
      ctx.logger.info("web sign-in with an admin token", { token: token.name });
      return startSession(call, { kind: "token", tokenId: token.id });
    }),
  );

  router.add(
    "GET",
    "/masuk/tautan",
    handler(async (call) => {
      const secret = call.url.searchParams.get("t") ?? "";
      const t = translator(call.lang);
      if (!SECRET_PATTERN.test(secret))
        return message(
          call,
          400,
          t(
            "Tautan masuk tidak lengkap: salin seluruh tautan dari email, atau minta tautan baru.",
            "Incomplete sign-in link: copy the whole link from the email, or ask for a new one.",
          ),
        );
      return answer(
        call,
        200,
        html(<LinkConfirmPage {...frame(call, null)} csrf={preToken(call)} secret={secret} />),
      );
    }),
  );

  router.add(
    "POST",
    "/masuk/tautan",
    handler(async (call) => {
      const form = await readForm(call.req);
      checkPreToken(call, form);
      const t = translator(call.lang);
      const secret = form.get("t") ?? "";
      const use = SECRET_PATTERN.test(secret)
        ? await consumeSignInLink(ctx.db.knex, secret, call.now)
        : { kind: "unknown" as const };
      if (use.kind === "used")
        return signInForm(
          call,
          400,
          t(
            "Tautan ini sudah dipakai (tautan hanya sekali pakai). Minta tautan baru di bawah.",
            "This link was already used (links work once). Ask for a new one below.",
          ),
        );
      if (use.kind === "expired")
        return signInForm(
          call,
          400,
          t(
            `Tautan ini sudah kedaluwarsa (berlaku ${Math.round(config.web.linkMs / 60_000)} menit). Minta tautan baru di bawah.`,
            `This link has expired (valid for ${Math.round(config.web.linkMs / 60_000)} minutes). Ask for a new one below.`,
          ),
        );
      if (use.kind === "unknown")
        return signInForm(
          call,
          400,
          t(
            "Tautan masuk tidak dikenal. Minta tautan baru di bawah.",
            "Unknown sign-in link. Ask for a new one below.",
          ),
        );
      // The appointment may have ended between the email and the click.
      if (!officerAccess(await loadAppointments(ctx.db.knex), use.email, call.now))
        return signInForm(
          call,
          403,
          t(
            "Alamat ini tidak lagi memegang jabatan di direktori pejabat (mutasi); akses berakhir.",
            "This address no longer holds a role in the officer directory (rotation); access has ended.",
          ),
        );
      return startSession(call, { kind: "officer", email: use.email });
    }),
  );

  router.add(
    "POST",
    "/keluar",
    handler(async (call) => {
      const form = await readForm(call.req);
      const s = await signedIn(call);
      if (s) {
        if (!sameSecret(form.get("csrf") ?? "", s.session.csrf))
          throw new HttpError(
            403,
            "Token CSRF tidak cocok: muat ulang halaman lalu tekan Keluar lagi. / CSRF token mismatch: reload the page and press Sign out again.",
          );
        await endSession(ctx.db.knex, s.session.id, call.now);
      }
      call.setCookies.push(cookie(SESSION_COOKIE, "", { secure: call.secure, maxAge: 0 }));
      const t = translator(call.lang);
      return answer(
        call,
        200,
        html(
          <MessagePage
            {...frame(call, null)}
            title={t("Anda sudah keluar", "You are signed out")}
            message={t(
              "Sesi Anda telah diakhiri di server.",
              "Your session was ended on the server.",
            )}
            next={{ href: "/masuk", label: t("Masuk lagi", "Sign in again") }}
          />,
        ),
      );
    }),
  );
}

/** "Indonesian. / English." messages of HttpError: the half in the page's language. */
function localize(text: string, lang: Lang): string {
  const parts = text.split(" / ");
  if (parts.length !== 2) return text;
  return lang === "en" ? (parts[1] ?? text) : (parts[0] ?? text);
}

// Sign-in and sign-out of the Papan Kepatuhan: GET|POST /masuk (ask for a one-time link by
// email), POST /masuk/token (an admin API token), GET|POST /masuk/tautan (the link's confirm
// page, then its use), POST /keluar.
//
// Invariants: every POST carries a CSRF token (before sign-in a double-submit cookie, after it
// the session's) and is refused without it; sign-in links are asked for at most
// LINKS_PER_ADDRESS times per address and attempts (links, tokens) CLIENT_ATTEMPTS times per
// client per RATE_WINDOW_MS; the answer to a link request is the same whether or not the address
// is in the directory; a GET of a link never spends it (mail scanners open links).
import type { Instant } from "../core/types.js";
import { HttpError, type HttpRouter } from "../http/server.js";
import { findTokenBySecret, touchToken, TOKEN_PATTERN } from "../api/tokens.js";
import { loadAppointments } from "../officers/officerStore.js";
import { officerAccess } from "./auth/access.js";
import { consumeSignInLink, requestSignInLink, type LinkSettings } from "./auth/links.js";
import { RateLimiter } from "./auth/rateLimit.js";
import { newSecret, sameSecret, SECRET_PATTERN } from "./auth/secrets.js";
import { createSession, endSession } from "./auth/sessions.js";
import { translator } from "./format.js";
import { clientOf, cookie, PRE_COOKIE, readForm, SESSION_COOKIE } from "./http.js";
import { html, type Answer, type Call, type WebKit } from "./kit.js";
import { LinkConfirmPage, MessagePage, SignInPage } from "./pages/signin.js";

/** Sign-in links one address may ask for per window, and attempts (links, tokens) per client. */
export const LINKS_PER_ADDRESS = 3;
export const CLIENT_ATTEMPTS = 20;
export const RATE_WINDOW_MS = 15 * 60_000;

export function registerSignInRoutes(router: HttpRouter, kit: WebKit): void {
  const flow = new SignInFlow(kit);
  router.add(
    "GET",
    "/masuk",
    kit.handler((call) => flow.form(call)),
  );
  router.add(
    "POST",
    "/masuk",
    kit.handler((call) => flow.requestLink(call)),
  );
  router.add(
    "POST",
    "/masuk/token",
    kit.handler((call) => flow.withToken(call)),
  );
  router.add(
    "GET",
    "/masuk/tautan",
    kit.handler((call) => flow.confirmLink(call)),
  );
  router.add(
    "POST",
    "/masuk/tautan",
    kit.handler((call) => flow.useLink(call)),
  );
  router.add(
    "POST",
    "/keluar",
    kit.handler((call) => flow.signOut(call)),
  );
}

type SessionOwner = Parameters<typeof createSession>[1];

class SignInFlow {
  private readonly byAddress = new RateLimiter(LINKS_PER_ADDRESS, RATE_WINDOW_MS);
  private readonly byClient = new RateLimiter(CLIENT_ATTEMPTS, RATE_WINDOW_MS);

  constructor(private readonly kit: WebKit) {}

  private get config() {
    return this.kit.config;
  }

  private get knex() {
    return this.kit.ctx.db.knex;
  }

  async form(call: Call): Promise<Answer> {
    if (await this.kit.signedIn(call)) return this.kit.redirect(call, "/");
    return this.signInForm(call);
  }

  async requestLink(call: Call): Promise<Answer> {
    const form = await readForm(call.req);
    this.checkPreToken(call, form);
    const t = translator(call.lang);
    const email = (form.get("email") ?? "").trim();
    const client = this.byClient.take(clientOf(call.req), call.now);
    if (!client.allowed) return this.limited(call, client.retryAt, false);
    if (email === "" || email.length > 254 || /[\r\n]/.test(email))
      return this.signInForm(
        call,
        400,
        t(
          "Tulis alamat email Anda, mis. nama@malangkab.go.id.",
          "Write your email address, e.g. name@malangkab.go.id.",
        ),
        email.slice(0, 254),
      );
    const address = this.byAddress.take(email.toLowerCase(), call.now);
    if (!address.allowed) return this.limited(call, address.retryAt, true);
    const result = await requestSignInLink(this.knex, email, call.now, this.linkSettings(call));
    if (result.kind === "invalid")
      return this.signInForm(
        call,
        400,
        t(
          `"${email}" bukan alamat email yang valid; periksa penulisannya, mis. nama@malangkab.go.id.`,
          `"${email}" is not a valid email address; check it, e.g. name@malangkab.go.id.`,
        ),
        email,
      );
    if (result.kind === "queued") {
      this.kit.ctx.logger.info("web sign-in link queued");
      this.kit.options.onSignInQueued?.();
    }
    const minutes = Math.round(this.config.web.linkMs / 60_000);
    // The same answer whether or not the address is in the directory.
    return this.kit.ok(
      call,
      <MessagePage
        {...this.kit.frame(call, null)}
        title={t("Periksa email Anda", "Check your email")}
        message={t(
          `Jika ${email} terdaftar sebagai pejabat di direktori, tautan masuk telah dikirim ke alamat itu. Tautan berlaku ${minutes} menit dan hanya sekali pakai. Tidak menerima email? Tanyakan admin koordinator apakah alamat Anda tercatat.`,
          `If ${email} is registered as an officer in the directory, a sign-in link was sent to it. The link is valid for ${minutes} minutes and works once. No email? Ask the coordinator whether your address is on record.`,
        )}
      />,
    );
  }

  async withToken(call: Call): Promise<Answer> {
    const form = await readForm(call.req);
    this.checkPreToken(call, form);
    const t = translator(call.lang);
    const client = this.byClient.take(clientOf(call.req), call.now);
    if (!client.allowed) return this.limited(call, client.retryAt, false);
    const secret = (form.get("token") ?? "").trim();
    const token = TOKEN_PATTERN.test(secret) ? await findTokenBySecret(this.knex, secret) : null;
    if (!token || token.revokedAt !== null || token.scope !== "admin")
      return this.signInForm(
        call,
        403,
        t(
          "Token tidak dikenal, sudah dicabut, atau bukan token admin. Buat token admin dengan `pantau tokens create --name NAMA --admin`.",
          "Unknown or revoked token, or not an admin token. Create an admin token with `pantau tokens create --name NAME --admin`.",
        ),
      );
    await touchToken(this.knex, token, call.now);
    this.kit.ctx.logger.info("web sign-in with an admin token", { token: token.name });
    return this.startSession(call, { kind: "token", tokenId: token.id });
  }

  /** The link's page: a button that POSTs it, so that opening the link spends nothing. */
  async confirmLink(call: Call): Promise<Answer> {
    const secret = call.url.searchParams.get("t") ?? "";
    if (!SECRET_PATTERN.test(secret)) {
      const t = translator(call.lang);
      return this.kit.message(
        call,
        400,
        t(
          "Tautan masuk tidak lengkap: salin seluruh tautan dari email, atau minta tautan baru.",
          "Incomplete sign-in link: copy the whole link from the email, or ask for a new one.",
        ),
      );
    }
    return this.kit.ok(
      call,
      <LinkConfirmPage
        {...this.kit.frame(call, null)}
        csrf={this.preToken(call)}
        secret={secret}
      />,
    );
  }

  async useLink(call: Call): Promise<Answer> {
    const form = await readForm(call.req);
    this.checkPreToken(call, form);
    const t = translator(call.lang);
    const secret = form.get("t") ?? "";
    const use = SECRET_PATTERN.test(secret)
      ? await consumeSignInLink(this.knex, secret, call.now)
      : { kind: "unknown" as const };
    const minutes = Math.round(this.config.web.linkMs / 60_000);
    if (use.kind === "used")
      return this.signInForm(
        call,
        400,
        t(
          "Tautan ini sudah dipakai (tautan hanya sekali pakai). Minta tautan baru di bawah.",
          "This link was already used (links work once). Ask for a new one below.",
        ),
      );
    if (use.kind === "expired")
      return this.signInForm(
        call,
        400,
        t(
          `Tautan ini sudah kedaluwarsa (berlaku ${minutes} menit). Minta tautan baru di bawah.`,
          `This link has expired (valid for ${minutes} minutes). Ask for a new one below.`,
        ),
      );
    if (use.kind === "unknown")
      return this.signInForm(
        call,
        400,
        t(
          "Tautan masuk tidak dikenal. Minta tautan baru di bawah.",
          "Unknown sign-in link. Ask for a new one below.",
        ),
      );
    // The appointment may have ended between the email and the click.
    if (!officerAccess(await loadAppointments(this.knex), use.email, call.now))
      return this.signInForm(
        call,
        403,
        t(
          "Alamat ini tidak lagi memegang jabatan di direktori pejabat (mutasi); akses berakhir.",
          "This address no longer holds a role in the officer directory (rotation); access has ended.",
        ),
      );
    return this.startSession(call, { kind: "officer", email: use.email });
  }

  async signOut(call: Call): Promise<Answer> {
    const form = await readForm(call.req);
    const s = await this.kit.signedIn(call);
    if (s) {
      if (!sameSecret(form.get("csrf") ?? "", s.session.csrf))
        throw new HttpError(
          403,
          "Token CSRF tidak cocok: muat ulang halaman lalu tekan Keluar lagi. / CSRF token mismatch: reload the page and press Sign out again.",
        );
      await endSession(this.knex, s.session.id, call.now);
    }
    call.setCookies.push(cookie(SESSION_COOKIE, "", { secure: call.secure, maxAge: 0 }));
    const t = translator(call.lang);
    return this.kit.ok(
      call,
      <MessagePage
        {...this.kit.frame(call, null)}
        title={t("Anda sudah keluar", "You are signed out")}
        message={t("Sesi Anda telah diakhiri di server.", "Your session was ended on the server.")}
        next={{ href: "/masuk", label: t("Masuk lagi", "Sign in again") }}
      />,
    );
  }

  private linkSettings(call: Call): LinkSettings {
    return {
      regency: this.config.regency,
      zone: this.config.defaultZone,
      baseUrl: this.kit.options.baseUrl(),
      linkMs: this.config.web.linkMs,
      lang: call.lang,
    };
  }

  /** The pre-session CSRF token: the cookie's, or a new one set with this answer. */
  private preToken(call: Call): string {
    const existing = call.cookies[PRE_COOKIE];
    if (existing && SECRET_PATTERN.test(existing)) return existing;
    const fresh = newSecret();
    call.setCookies.push(cookie(PRE_COOKIE, fresh, { secure: call.secure }));
    call.cookies[PRE_COOKIE] = fresh;
    return fresh;
  }

  private checkPreToken(call: Call, form: URLSearchParams): void {
    const sent = form.get("csrf") ?? "";
    const expected = call.cookies[PRE_COOKIE] ?? "";
    if (!expected || !sameSecret(sent, expected))
      throw new HttpError(
        403,
        "Formulir kedaluwarsa atau bukan dari halaman ini (token CSRF tidak cocok): buka halaman masuk lagi lalu kirim ulang. / The form expired or did not come from this page (CSRF token mismatch): open the sign-in page again and resend.",
      );
  }

  private signInForm(call: Call, status = 200, problem?: string, email?: string): Answer {
    const page = (
      <SignInPage
        {...this.kit.frame(call, null)}
        csrf={this.preToken(call)}
        problem={problem}
        email={email}
      />
    );
    return this.kit.answer(call, status, html(page));
  }

  private limited(call: Call, retryAt: Instant, address: boolean): Answer {
    const t = translator(call.lang);
    const minutes = Math.max(1, Math.ceil((retryAt - call.now) / 60_000));
    return this.signInForm(
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

  private async startSession(call: Call, owner: SessionOwner): Promise<Answer> {
    const sessionMs = this.config.web.sessionMs;
    const { secret } = await createSession(this.knex, owner, call.now, sessionMs);
    call.setCookies.push(
      cookie(SESSION_COOKIE, secret, { secure: call.secure, maxAge: Math.floor(sessionMs / 1000) }),
    );
    call.setCookies.push(cookie(PRE_COOKIE, "", { secure: call.secure, maxAge: 0 }));
    return this.kit.redirect(call, "/");
  }
}

// The sign-in pages: the email form (and, folded away, the admin-token form), the "check your
// email" answer, the confirmation behind a sign-in link (a button, so that mail scanners that
// open links do not spend them), and a message page for refusals and errors.
import type { JSX } from "preact";
import { translator } from "../format.js";
import { Layout, type PageFrame } from "./layout.js";

export function SignInPage(
  p: PageFrame & { csrf: string; problem?: string; email?: string },
): JSX.Element {
  const t = translator(p.lang);
  return (
    <Layout {...p} title={t("Masuk", "Sign in")}>
      {p.problem ? (
        <p class="warning" role="alert" id="masalah">
          {p.problem}
        </p>
      ) : null}
      <p>
        {t(
          "Masukkan alamat email Anda yang terdaftar di direktori pejabat (SK Tim Pengelola SP4N-LAPOR!). Kami mengirim tautan masuk sekali pakai ke alamat itu.",
          "Enter your email address as registered in the officer directory (SP4N-LAPOR! team decree). We send a one-time sign-in link to it.",
        )}
      </p>
      <form method="post" action="/masuk" class="stack">
        <input type="hidden" name="csrf" value={p.csrf} />
        <label for="email">{t("Alamat email", "Email address")}</label>
        <input
          id="email"
          name="email"
          type="email"
          autoComplete="email"
          required
          value={p.email ?? ""}
          aria-describedby={p.problem ? "masalah" : undefined}
        />
        <button type="submit">{t("Kirim tautan masuk", "Send sign-in link")}</button>
      </form>
      <details>
        <summary>
          {t(
            "Operator: masuk dengan token API admin",
            "Operators: sign in with an admin API token",
          )}
        </summary>
        <form method="post" action="/masuk/token" class="stack">
          <input type="hidden" name="csrf" value={p.csrf} />
          <label for="token">{t("Token admin (pnt_…)", "Admin token (pnt_…)")}</label>
          <input id="token" name="token" type="password" autoComplete="off" required />
          <button type="submit">{t("Masuk", "Sign in")}</button>
        </form>
      </details>
    </Layout>
  );
}

export function LinkConfirmPage(p: PageFrame & { csrf: string; secret: string }): JSX.Element {
  const t = translator(p.lang);
  return (
    <Layout {...p} title={t("Masuk", "Sign in")}>
      <p>
        {t(
          "Tekan tombol untuk masuk. Tautan ini hanya dapat dipakai sekali.",
          "Press the button to sign in. This link works once.",
        )}
      </p>
      <form method="post" action="/masuk/tautan" class="stack">
        <input type="hidden" name="csrf" value={p.csrf} />
        <input type="hidden" name="t" value={p.secret} />
        <button type="submit">
          {t("Masuk ke Papan Kepatuhan", "Sign in to the compliance board")}
        </button>
      </form>
    </Layout>
  );
}

export function MessagePage(
  p: PageFrame & { title: string; message: string; next?: { href: string; label: string } },
): JSX.Element {
  return (
    <Layout {...p} title={p.title}>
      <p class="message" role="status">
        {p.message}
      </p>
      {p.next ? (
        <p>
          <a href={p.next.href}>{p.next.label}</a>
        </p>
      ) : null}
    </Layout>
  );
}

// The frame of every page: <html lang>, the stylesheet served by the daemon (no CDN), the
// navigation, the language switch (links, no script) and the sign-out form with its CSRF token.
import type { ComponentChildren, JSX } from "preact";
import type { Lang } from "../../i18n/lang.js";
import { translator } from "../format.js";

export interface Viewer {
  name: string;
  csrf: string;
  /** The agencies whose detail pages this viewer may open ("all": every agency). */
  agencies: readonly string[] | "all";
  operations: boolean;
}

export interface PageFrame {
  lang: Lang;
  regency: string;
  /** The request URL: the language switch keeps its path and query. */
  url: URL;
  viewer: Viewer | null;
  /** Navigation entry to mark as current. */
  current?: "summary" | "trends" | "operations" | "agency" | "public";
}

function switchHref(url: URL, lang: Lang): string {
  const params = new URLSearchParams(url.searchParams);
  params.set("lang", lang);
  return `${url.pathname}?${params.toString()}`;
}

export function Layout(
  props: PageFrame & { title: string; children: ComponentChildren },
): JSX.Element {
  const t = translator(props.lang);
  const v = props.viewer;
  const nav = (key: PageFrame["current"], href: string, label: string) => (
    <li>
      <a href={href} aria-current={props.current === key ? "page" : undefined}>
        {label}
      </a>
    </li>
  );
  return (
    <html lang={props.lang}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · Pantau ${props.regency}`}</title>
        <link rel="stylesheet" href="/web/style.css" />
        <link rel="icon" href="/web/icon.svg" type="image/svg+xml" />
      </head>
      <body>
        <a class="skip" href="#isi">
          {t("Langsung ke isi", "Skip to content")}
        </a>
        <header class="top">
          <p class="brand">
            <strong>Pantau</strong> ·{" "}
            {t("Papan Kepatuhan SP4N-LAPOR!", "SP4N-LAPOR! compliance board")} · {props.regency}
          </p>
          <nav aria-label={t("Navigasi utama", "Main navigation")}>
            <ul>
              {v ? nav("summary", "/", t("Ringkasan", "Summary")) : null}
              {v && v.agencies !== "all"
                ? v.agencies.map((code) =>
                    nav("agency", `/opd/${encodeURIComponent(code)}`, `OPD ${code}`),
                  )
                : null}
              {v ? nav("trends", "/tren", t("Tren", "Trends")) : null}
              {v?.operations
                ? nav("operations", "/operasional", t("Operasional", "Operations"))
                : null}
              <li class="lang">
                {props.lang === "id" ? (
                  <a href={switchHref(props.url, "en")} lang="en" hreflang="en">
                    English
                  </a>
                ) : (
                  <a href={switchHref(props.url, "id")} lang="id" hreflang="id">
                    Bahasa Indonesia
                  </a>
                )}
              </li>
            </ul>
          </nav>
          {v ? (
            <form method="post" action="/keluar" class="signout">
              <span class="who">{v.name}</span>
              <input type="hidden" name="csrf" value={v.csrf} />
              <button type="submit">{t("Keluar", "Sign out")}</button>
            </form>
          ) : null}
        </header>
        <main id="isi">
          <h1>{props.title}</h1>
          {props.children}
        </main>
        <footer>
          <p>
            {t(
              "Angka dari basis data Pantau pada saat halaman dibuat; sama dengan pantau status, pantau report dan /metrics.",
              "Figures from Pantau's database when the page was made; the same as pantau status, pantau report and /metrics.",
            )}
          </p>
        </footer>
      </body>
    </html>
  );
}

/** A labelled figure; data-figure/data-value carry the raw value for tests and scripts. */
export function Figure(props: {
  name: string;
  value: number | null;
  text: string;
  label: string;
  detail?: string;
}): JSX.Element {
  return (
    <div class="figure">
      <p class="label">{props.label}</p>
      <p
        class="value"
        data-figure={props.name}
        data-value={props.value === null ? "" : String(props.value)}
      >
        {props.text}
      </p>
      {props.detail ? <p class="detail">{props.detail}</p> : null}
    </div>
  );
}

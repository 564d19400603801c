// Operasional: the last scan and its duration, the outbox (pending / failed), recent deliveries,
// the health of the /metrics collectors, and (for admin tokens and the coordinator) who used the
// pages recently.
import type { JSX } from "preact";
import type { RecentSignIn } from "../auth/sessions.js";
import type { Operations } from "../data.js";
import { countText, instantText, translator } from "../format.js";
import { formatNumber } from "../../core/format/index.js";
import { pick } from "../../i18n/lang.js";
import { Layout, type PageFrame } from "./layout.js";

const KINDS: Record<string, { id: string; en: string }> = {
  escalation: { id: "eskalasi", en: "escalation" },
  vacancy: { id: "jabatan kosong", en: "vacancy notice" },
  reminder: { id: "pengingat harian", en: "daily reminder" },
  signin: { id: "tautan masuk", en: "sign-in link" },
};

const STATES: Record<string, { id: string; en: string }> = {
  pending: { id: "menunggu", en: "pending" },
  sending: { id: "sedang dikirim", en: "sending" },
  sent: { id: "terkirim", en: "sent" },
  failed: { id: "gagal", en: "failed" },
  cancelled: { id: "dibatalkan", en: "cancelled" },
};

export function OperationsPage(
  p: PageFrame & { ops: Operations; zone: string; signIns: RecentSignIn[] | null },
): JSX.Element {
  const t = translator(p.lang);
  const o = p.ops;
  const scan = o.lastScan;
  const seconds =
    scan && scan.finishedAt !== null ? (scan.finishedAt - scan.startedAt) / 1000 : null;
  return (
    <Layout {...p} title={t("Operasional", "Operations")} current="operations">
      <section aria-labelledby="pindai">
        <h2 id="pindai">{t("Pemindaian terakhir", "Last scan")}</h2>
        {scan === null ? (
          <p>{t("Belum ada pemindaian.", "No scan yet.")}</p>
        ) : (
          <dl class="facts">
            <dt>{t("Mulai", "Started")}</dt>
            <dd>{instantText(scan.startedAt, p.zone, p.lang)}</dd>
            <dt>{t("Durasi", "Duration")}</dt>
            <dd data-figure="scan-seconds" data-value={seconds ?? ""}>
              {seconds === null
                ? t("belum selesai", "not finished")
                : `${formatNumber(seconds, p.lang, 3)} ${t("detik", "s")}`}
            </dd>
            <dt>{t("Hasil", "Result")}</dt>
            <dd>
              {scan.error === null ? (
                t("✓ berhasil", "✓ succeeded")
              ) : (
                <strong>{t(`✗ gagal: ${scan.error}`, `✗ failed: ${scan.error}`)}</strong>
              )}
            </dd>
          </dl>
        )}
      </section>
      <section aria-labelledby="outbox">
        <h2 id="outbox">{t("Outbox email", "Email outbox")}</h2>
        <dl class="facts">
          {(["pending", "sending", "sent", "failed", "cancelled"] as const).map((state) => (
            <>
              <dt key={`${state}-t`}>{pick(p.lang, STATES[state] ?? { id: state, en: state })}</dt>
              <dd
                key={`${state}-d`}
                data-figure={`outbox-${state}`}
                data-value={o.outbox[state] ?? 0}
              >
                {countText(o.outbox[state] ?? 0, p.lang)}
              </dd>
            </>
          ))}
        </dl>
        <h3>{t("Pengiriman terakhir", "Recent deliveries")}</h3>
        {o.deliveries.length === 0 ? (
          <p>{t("Belum ada email terkirim.", "No email sent yet.")}</p>
        ) : (
          <ul class="compact">
            {o.deliveries.map((d, i) => (
              <li key={i}>
                {instantText(d.sentAt, p.zone, p.lang)} ·{" "}
                {pick(p.lang, KINDS[d.kind] ?? { id: d.kind, en: d.kind })}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="kolektor">
        <h2 id="kolektor">
          {t("Kesehatan kolektor /metrics", "Health of the /metrics collectors")}
        </h2>
        {o.collectors.length === 0 ? (
          <p>{t("Belum ada pembacaan /metrics.", "No /metrics read yet.")}</p>
        ) : (
          <ul class="compact">
            {o.collectors.map((c) => (
              <li key={c.name}>
                {c.name}:{" "}
                {c.success ? (
                  t("✓ sehat", "✓ healthy")
                ) : (
                  <strong>{t("✗ gagal", "✗ failing")}</strong>
                )}
              </li>
            ))}
          </ul>
        )}
      </section>
      {p.signIns === null ? null : (
        <section aria-labelledby="masuk">
          <h2 id="masuk">{t("Pengguna 7 hari terakhir", "Users of the last 7 days")}</h2>
          {p.signIns.length === 0 ? (
            <p>{t("Belum ada.", "None yet.")}</p>
          ) : (
            <ul class="compact">
              {p.signIns.map((s, i) => (
                <li key={i}>
                  {s.who} · {instantText(s.lastSeenAt, p.zone, p.lang)}
                  {s.signedOut ? t(" (sudah keluar)", " (signed out)") : ""}
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
    </Layout>
  );
}

// One report's page: its `explain` (history and each clock step by step) in words, exactly the
// sections `pantau explain` prints, with the LAPOR! link.
import type { JSX } from "preact";
import type { ExplainDocument } from "../../core/sla/explain.js";
import { localTimes, translator } from "../format.js";
import { Layout, type PageFrame } from "./layout.js";

export function ReportPage(
  p: PageFrame & { doc: ExplainDocument; opd: string | null; laporUrl: string },
): JSX.Element {
  const t = translator(p.lang);
  return (
    <Layout {...p} title={localTimes(p.doc.title, p.lang)} current="agency">
      <p>
        {p.opd ? (
          <>
            <a href={`/opd/${encodeURIComponent(p.opd)}`}>
              {t(`← kembali ke OPD ${p.opd}`, `← back to agency ${p.opd}`)}
            </a>{" "}
            ·{" "}
          </>
        ) : null}
        <a href={p.laporUrl} rel="noreferrer">
          {t("buka di LAPOR!", "open in LAPOR!")}
        </a>
      </p>
      {p.doc.sections.map((s) => (
        <section key={s.key} data-section={s.key}>
          <h2>{localTimes(s.title, p.lang)}</h2>
          <ul class="explain">
            {s.lines.map((l, i) => (
              <li key={`${l.key}-${i}`} data-line={l.key}>
                {localTimes(l.text, p.lang)}
              </li>
            ))}
          </ul>
        </section>
      ))}
    </Layout>
  );
}

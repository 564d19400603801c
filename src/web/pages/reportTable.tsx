// A report view (the columns `pantau report` renders as text, CSV and xlsx) as an HTML table:
// the same columns and the same cell text as the CLI's table (displayCell), the key columns by
// default, every column when `wide`.
import type { JSX } from "preact";
import { pick, type Lang } from "../../i18n/lang.js";
import { displayCell } from "../../reports/index.js";
import type { Column, View } from "../../reports/render.js";

export function ReportTable<R>(props: {
  view: View<R>;
  lang: Lang;
  wide?: boolean;
  name: string;
  /** Rows shown at most (the downloads hold every row); a note says how many are left out. */
  maxRows?: number;
  moreNote?: (shown: number, total: number) => string;
}): JSX.Element {
  const columns: Column<R>[] = props.wide
    ? props.view.columns
    : props.view.columns.filter((c) => c.narrow);
  const total = props.view.rows.length;
  const rows =
    props.maxRows === undefined ? props.view.rows : props.view.rows.slice(0, props.maxRows);
  return (
    <div class="scroll" tabIndex={0}>
      <table class="report" data-view={props.name}>
        <caption>{pick(props.lang, props.view.name)}</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th scope="col" key={c.header.en} class={c.kind === "text" ? undefined : "num"}>
                {pick(props.lang, props.wide || !c.narrow ? c.header : c.narrow.header)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, i) => (
            <tr key={i}>
              {columns.map((c) => {
                const value = c.value(row);
                return (
                  <td
                    key={c.header.en}
                    class={c.kind === "text" ? undefined : "num"}
                    data-value={value ?? ""}
                  >
                    {displayCell(c.kind, value, props.lang)}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      {rows.length < total && props.moreNote ? (
        <p class="note">{props.moreNote(rows.length, total)}</p>
      ) : null}
    </div>
  );
}

// Charts drawn on the server as SVG (no script, prints in black and white): a bar per period
// with its value written above it, so that colour is never the only signal. Bars without a
// value (nothing measured) are drawn as an outlined "–".
import type { JSX } from "preact";

export interface Bar {
  label: string;
  /** 0–1, or null when nothing was measured. */
  value: number | null;
  text: string;
}

const W = 640;
const H = 220;
const PAD = { top: 24, right: 8, bottom: 36, left: 36 };

/** A bar chart of shares (0–100 %) with a title for screen readers. */
export function ShareBars(props: { title: string; bars: Bar[] }): JSX.Element {
  const n = Math.max(1, props.bars.length);
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const slot = plotW / n;
  const barW = Math.max(4, slot * 0.6);
  const y = (v: number): number => PAD.top + plotH * (1 - v);
  return (
    <svg
      class="chart"
      viewBox={`0 0 ${W} ${H}`}
      role="img"
      aria-label={props.title}
      xmlns="http://www.w3.org/2000/svg"
    >
      <title>{props.title}</title>
      {[0, 0.5, 1].map((g) => (
        <g key={g}>
          <line x1={PAD.left} x2={W - PAD.right} y1={y(g)} y2={y(g)} class="grid" />
          <text x={PAD.left - 4} y={y(g) + 4} text-anchor="end" class="axis">
            {`${g * 100}%`}
          </text>
        </g>
      ))}
      {props.bars.map((b, i) => {
        const x = PAD.left + slot * i + (slot - barW) / 2;
        const v = b.value ?? 0;
        return (
          <g key={b.label}>
            {b.value === null ? (
              <rect x={x} y={y(0) - 2} width={barW} height={2} class="bar-empty" />
            ) : (
              <rect x={x} y={y(v)} width={barW} height={Math.max(0, y(0) - y(v))} class="bar" />
            )}
            <text x={x + barW / 2} y={y(v) - 4} text-anchor="middle" class="value">
              {b.text}
            </text>
            <text x={x + barW / 2} y={H - PAD.bottom + 14} text-anchor="middle" class="axis">
              {b.label}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

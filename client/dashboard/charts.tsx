/** Small hand-written SVG charts of the dashboard: value bars with target and previous marks, columns, paired bars. */
import type { Lang } from "../../shared/i18n.js";
import { formatNumber } from "../../shared/scoring/format.js";

const clamp = (x: number) => Math.max(0, Math.min(1, x));

/**
 * A horizontal bar of value / max, with a tick for last year (grey) and for the target (red), and
 * the 95% interval as a whisker; an unreliable value is drawn pale. `tooltip` is the pointer's text.
 */
export function ValueBar(props: {
  value: number | null;
  max: number;
  previous?: number | null;
  target?: number | null;
  ci?: { lo: number; hi: number } | null;
  unreliable?: boolean;
  label: string;
  tooltip?: string;
  width?: number;
}) {
  const { value, max, previous, target, ci, label } = props;
  const width = props.width ?? 160;
  const h = 14;
  const x = (v: number) => clamp(v / max) * width;
  return (
    <svg class="vbar" width={width} height={h} viewBox={`0 0 ${width} ${h}`} role="img" aria-label={props.tooltip ?? label}>
      {props.tooltip && <title>{props.tooltip}</title>}
      <rect class="track" x={0} y={2} width={width} height={h - 4} rx={2} />
      {value !== null && <rect class={props.unreliable ? "fill unreliable" : "fill"} x={0} y={2} width={x(value)} height={h - 4} rx={2} />}
      {value !== null && ci && (
        <g class="ci">
          <line class="ci" x1={x(ci.lo)} x2={x(ci.hi)} y1={h / 2} y2={h / 2} />
          <line class="ci" x1={x(ci.lo)} x2={x(ci.lo)} y1={3} y2={h - 3} />
          <line class="ci" x1={x(ci.hi)} x2={x(ci.hi)} y1={3} y2={h - 3} />
        </g>
      )}
      {previous !== null && previous !== undefined && <rect class="prev" x={x(previous) - 1} y={0} width={2} height={h} />}
      {target !== null && target !== undefined && <rect class="target" x={Math.min(width - 2, x(target)) - 1} y={0} width={3} height={h} />}
    </svg>
  );
}

/** Responses against a target as a filled bar (grows past 100% in a darker tone). */
export function ProgressBar(props: { value: number; target: number | null; label: string; width?: number }) {
  const width = props.width ?? 200;
  const scale = Math.max(props.target ?? 0, props.value, 1);
  return (
    <svg class="pbar" width={width} height={12} viewBox={`0 0 ${width} 12`} role="img" aria-label={props.label}>
      <rect class="track" x={0} y={1} width={width} height={10} rx={2} />
      <rect
        class={props.target !== null && props.value >= props.target ? "fill done" : "fill"}
        x={0}
        y={1}
        width={(props.value / scale) * width}
        height={10}
        rx={2}
      />
      {props.target !== null && <rect class="target" x={(props.target / scale) * width - 1.5} y={0} width={3} height={12} />}
    </svg>
  );
}

/** Columns (responses per day), labelled at both ends. */
export function ColumnChart(props: { data: Array<{ label: string; value: number }>; lang: Lang; title: string }) {
  const { data } = props;
  const w = Math.max(240, Math.min(720, data.length * 24));
  const h = 120;
  const top = Math.max(1, ...data.map((d) => d.value));
  const bw = w / Math.max(1, data.length);
  return (
    <svg class="columns" width={w} height={h + 20} viewBox={`0 0 ${w} ${h + 20}`} role="img" aria-label={props.title}>
      {data.map((d, i) => {
        const bh = (d.value / top) * (h - 14);
        return (
          <g key={d.label}>
            <rect class="fill" x={i * bw + 2} y={h - bh} width={Math.max(1, bw - 4)} height={bh}>
              <title>{`${d.label}: ${formatNumber(d.value, 0, props.lang)}`}</title>
            </rect>
            {data.length <= 14 && (
              <text x={i * bw + bw / 2} y={h - bh - 3} text-anchor="middle" class="num">
                {d.value}
              </text>
            )}
          </g>
        );
      })}
      <line class="axis" x1={0} x2={w} y1={h} y2={h} />
      {data.length > 0 && (
        <>
          <text x={2} y={h + 14} class="axis-label">
            {data[0]!.label}
          </text>
          {data.length > 1 && (
            <text x={w - 2} y={h + 14} text-anchor="end" class="axis-label">
              {data[data.length - 1]!.label}
            </text>
          )}
        </>
      )}
    </svg>
  );
}

/** Year on year: for each row a grey bar (previous) above a blue one (current), on a common scale. */
export function PairedBars(props: {
  rows: Array<{ label: string; previous: number | null; current: number | null }>;
  max: number;
  decimals: number;
  lang: Lang;
  title: string;
  legend: [string, string];
}) {
  const labelW = 220;
  const barW = 300;
  const rowH = 34;
  const w = labelW + barW + 60;
  const h = props.rows.length * rowH + 24;
  const x = (v: number) => clamp(v / props.max) * barW;
  const fmt = (v: number | null) => formatNumber(v, props.decimals, props.lang);
  return (
    <svg class="paired" width="100%" viewBox={`0 0 ${w} ${h}`} role="img" aria-label={props.title} style={{ maxWidth: `${w}px` }}>
      <g class="legend">
        <rect class="prev-bar" x={labelW} y={4} width={12} height={10} />
        <text x={labelW + 16} y={13}>
          {props.legend[0]}
        </text>
        <rect class="cur-bar" x={labelW + 120} y={4} width={12} height={10} />
        <text x={labelW + 136} y={13}>
          {props.legend[1]}
        </text>
      </g>
      {props.rows.map((r, i) => {
        const y = 24 + i * rowH;
        return (
          <g key={r.label}>
            <text x={labelW - 6} y={y + 18} text-anchor="end" class="row-label">
              {r.label.length > 34 ? `${r.label.slice(0, 33)}…` : r.label}
              <title>{r.label}</title>
            </text>
            {r.previous !== null && <rect class="prev-bar" x={labelW} y={y + 3} width={x(r.previous)} height={11} />}
            {r.current !== null && <rect class="cur-bar" x={labelW} y={y + 15} width={x(r.current)} height={13} />}
            <text x={labelW + barW + 6} y={y + 12} class="num muted">
              {fmt(r.previous)}
            </text>
            <text x={labelW + barW + 6} y={y + 26} class="num">
              {fmt(r.current)}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

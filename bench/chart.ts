/**
 * The suite's results drawn as an SVG bar chart, written by hand (no dependency): each
 * workload's throughput relative to the C server in the same run, with mayus's target marked,
 * and W6's server memory per idle connection.
 */

export interface ChartSeries {
  key: string;
  label: string;
  color: string;
}

export interface ChartGroup {
  title: string;
  subtitle: string;
  /** mayus's target ratio, drawn as a dashed line. */
  target: number | null;
  /** Per series key: bar length (a ratio, or KiB for the memory panel) and its label. */
  bars: Record<string, { value: number | null; label: string }>;
}

export interface ChartInput {
  title: string;
  subtitle: string;
  series: ChartSeries[];
  ratioGroups: ChartGroup[];
  /** W6: server memory per idle connection, one group per way of running the servers. */
  memoryGroups: ChartGroup[];
}

const WIDTH = 980;
const LEFT = 260;
const RIGHT = 200;
const BAR_HEIGHT = 14;
const BAR_GAP = 3;
const GROUP_GAP = 16;

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function text(x: number, y: number, content: string, attributes = ""): string {
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${attributes}>${escapeXml(content)}</text>`;
}

/** One panel of groups of bars on a shared scale from 0 to `maxValue`; returns its SVG and height. */
function panel(
  top: number,
  heading: string,
  groups: ChartGroup[],
  series: ChartSeries[],
  maxValue: number,
  ticks: number[],
  tickLabel: (value: number) => string,
): { svg: string[]; height: number } {
  const plotWidth = WIDTH - LEFT - RIGHT;
  const x = (value: number) => LEFT + (Math.min(value, maxValue) / maxValue) * plotWidth;
  const groupHeight = series.length * (BAR_HEIGHT + BAR_GAP) - BAR_GAP;
  const plotTop = top + 44;
  const plotHeight = groups.length * (groupHeight + GROUP_GAP);
  const svg = [text(16, top + 16, heading, 'class="heading"')];
  for (const tick of ticks) {
    svg.push(
      `<line x1="${x(tick).toFixed(1)}" y1="${plotTop - 6}" x2="${x(tick).toFixed(1)}" y2="${plotTop + plotHeight - GROUP_GAP + 4}" class="grid"/>`,
      text(x(tick), plotTop - 9, tickLabel(tick), 'class="tick" text-anchor="middle"'),
    );
  }
  groups.forEach((group, groupIndex) => {
    const groupTop = plotTop + groupIndex * (groupHeight + GROUP_GAP);
    svg.push(
      text(LEFT - 10, groupTop + groupHeight / 2 - 2, group.title, 'class="group" text-anchor="end"'),
      text(LEFT - 10, groupTop + groupHeight / 2 + 12, group.subtitle, 'class="small" text-anchor="end"'),
    );
    // Bars, then the target line over them, then the labels (a white halo keeps them readable over the line).
    const labels: string[] = [];
    series.forEach((each, index) => {
      const bar = group.bars[each.key];
      const y = groupTop + index * (BAR_HEIGHT + BAR_GAP);
      if (bar === undefined) return;
      const end = bar.value === null ? LEFT : x(Math.max(0, bar.value));
      if (bar.value !== null) {
        svg.push(
          `<rect x="${LEFT}" y="${y}" width="${(end - LEFT).toFixed(1)}" height="${BAR_HEIGHT}" fill="${each.color}"><title>${escapeXml(`${each.label}: ${bar.label}`)}</title></rect>`,
        );
      }
      labels.push(text(end + 5, y + BAR_HEIGHT - 3, bar.label, 'class="small"'));
    });
    if (group.target !== null) {
      const targetX = x(group.target).toFixed(1);
      svg.push(
        `<line x1="${targetX}" y1="${groupTop - 3}" x2="${targetX}" y2="${groupTop + groupHeight + 3}" class="target"/>`,
      );
    }
    svg.push(...labels);
  });
  return { svg, height: plotTop - top + plotHeight + 8 };
}

/**
 * The whole chart as an SVG document.
 *
 * @example
 * writeFileSync("docs/bench/results.svg", renderChart(input));
 */
export function renderChart(input: ChartInput): string {
  const svg: string[] = [];
  let y = 20;
  svg.push(text(16, y + 8, input.title, 'class="title"'), text(16, y + 28, input.subtitle, 'class="small"'));
  y += 44;
  input.series.forEach((each, index) => {
    const x = 16 + index * 170;
    svg.push(
      `<rect x="${x}" y="${y}" width="12" height="12" fill="${each.color}"/>`,
      text(x + 18, y + 10, each.label, 'class="legend"'),
    );
  });
  svg.push(
    `<line x1="${16 + input.series.length * 170}" y1="${y + 6}" x2="${36 + input.series.length * 170}" y2="${y + 6}" class="target"/>`,
    text(42 + input.series.length * 170, y + 10, "mayus target", 'class="legend"'),
  );
  y += 24;
  const ratios = input.ratioGroups.flatMap((group) => Object.values(group.bars).map((bar) => bar.value ?? 0));
  const maxRatio = Math.max(1.2, ...ratios.map((ratio) => ratio * 1.05));
  const ratioTicks = Array.from({ length: Math.floor(maxRatio / 0.25) + 1 }, (_, index) => index * 0.25);
  const first = panel(
    y,
    "Throughput relative to the C epoll server, measured in the same run (C = 1.00; longer is better)",
    input.ratioGroups,
    input.series,
    maxRatio,
    ratioTicks,
    (value) => value.toFixed(2),
  );
  svg.push(...first.svg);
  y += first.height;
  if (input.memoryGroups.length > 0) {
    const values = input.memoryGroups.flatMap((group) => Object.values(group.bars).map((bar) => bar.value ?? 0));
    const maxKiB = Math.max(10, ...values.map((value) => value * 1.1));
    const step = maxKiB > 40 ? 10 : maxKiB > 20 ? 5 : 2;
    const kibTicks = Array.from({ length: Math.floor(maxKiB / step) + 1 }, (_, index) => index * step);
    const second = panel(
      y + 10,
      "W6: server memory (RSS) per idle connection, KiB (shorter is better)",
      input.memoryGroups,
      input.series,
      maxKiB,
      kibTicks,
      (value) => String(value),
    );
    svg.push(...second.svg);
    y += second.height + 10;
  }
  const height = Math.ceil(y + 12);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif">`,
    "<style>",
    ".title{font-size:17px;font-weight:600;fill:#111}",
    ".heading{font-size:13px;font-weight:600;fill:#222}",
    ".group{font-size:12px;font-weight:600;fill:#222}",
    ".legend{font-size:12px;fill:#222}",
    ".small{font-size:11px;fill:#444;paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}",
    ".tick{font-size:10px;fill:#666}",
    ".grid{stroke:#ddd;stroke-width:1}",
    ".target{stroke:#c00;stroke-width:1.5;stroke-dasharray:4 3}",
    "</style>",
    `<rect width="${WIDTH}" height="${height}" fill="#fff"/>`,
    ...svg,
    "</svg>",
    "",
  ].join("\n");
}

/** Plain-text tables for the suite's report: Markdown pipes, columns padded to line up in a terminal too. */

/**
 * A Markdown table whose columns line up when printed as is.
 *
 * @example
 * markdownTable(["server", "msg/s"], [["C epoll", "86,459"]]);
 * // | server  | msg/s  |
 * // |---------|--------|
 * // | C epoll | 86,459 |
 */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, 3, ...rows.map((row) => (row[column] ?? "").length)),
  );
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, column) => cell.padEnd(widths[column])).join(" | ")} |`;
  const rule = `|${widths.map((width) => "-".repeat(width + 2)).join("|")}|`;
  return [line(header), rule, ...rows.map(line)].join("\n");
}

/**
 * A number grouped by thousands, with `fractionDigits` decimals.
 *
 * @example
 * grouped(86459.1); // "86,459"
 */
export function grouped(value: number, fractionDigits = 0): string {
  return value.toLocaleString("en-US", {
    minimumFractionDigits: fractionDigits,
    maximumFractionDigits: fractionDigits,
  });
}

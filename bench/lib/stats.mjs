// Medians and number formatting for the reports.

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The median run by `valueOf` (the lower middle one of an even count): a real run, not an average of two. */
export function medianRun(runs, valueOf) {
  const sorted = [...runs].sort((a, b) => valueOf(a) - valueOf(b));
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

/** 12,345.6 style, with exactly `digits` decimals. */
export function fmt(value, digits = 0) {
  return Number(value).toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A signed size in MB, with a true minus sign: +1.2, −0.4. */
export function signed(mb) {
  return `${mb >= 0 ? '+' : '−'}${fmt(Math.abs(mb), 1)}`;
}

import { progressFields, type ProgressSnapshot } from './transfer-progress.ts';

/** The bar's width when there is room, and the narrowest it gets before the label is shortened. */
const BAR_WIDTH = 24;
const MIN_BAR_WIDTH = 10;
/** A terminal whose width is unknown (0 under some pseudo-terminals) is taken to be this wide. */
export const DEFAULT_COLUMNS = 80;

/**
 * One line of a terminal progress bar that fits `columns`, e.g.
 * `[##########..............] Reading the model archive: 42.0% (1.55 GiB of 3.71 GiB), 85.3 MiB/s, ETA 26 s`.
 * As the terminal narrows, the byte counts go first, then the rate, then the estimate; then the
 * bar shrinks and the label is shortened. The line stays short of the last column: a line that
 * fills it leaves the cursor waiting to wrap, and the next redraw would start a new line.
 */
export function progressBarLine(snapshot: ProgressSnapshot, columns: number | undefined): string {
  const room = (columns !== undefined && columns > 0 ? columns : DEFAULT_COLUMNS) - 1;
  const fields = progressFields(snapshot);
  const fraction = snapshot.totalBytes > 0 ? Math.min(snapshot.bytes / snapshot.totalBytes, 1) : 1;
  const bar = (width: number) => {
    const filled = Math.round(fraction * width);
    return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
  };
  const texts = [
    `${snapshot.label}: ${fields.percent} ${fields.bytes}, ${fields.rate}, ${fields.eta}`,
    `${snapshot.label}: ${fields.percent}, ${fields.rate}, ${fields.eta}`,
    `${snapshot.label}: ${fields.percent}, ${fields.eta}`,
    `${snapshot.label}: ${fields.percent}`,
  ];
  for (const text of texts) {
    if (BAR_WIDTH + 3 + text.length <= room) return `${bar(BAR_WIDTH)} ${text}`;
  }
  const shortest = texts[texts.length - 1] ?? '';
  const barWidth = Math.min(BAR_WIDTH, room - 3 - shortest.length);
  if (barWidth >= MIN_BAR_WIDTH) return `${bar(barWidth)} ${shortest}`;
  // Narrower still: the smallest bar, and as much of the label as fits before the percentage.
  const tail = `…: ${fields.percent}`;
  const labelRoom = room - (MIN_BAR_WIDTH + 3) - tail.length;
  if (labelRoom > 0) return `${bar(MIN_BAR_WIDTH)} ${snapshot.label.slice(0, labelRoom).trimEnd()}${tail}`;
  return `${bar(MIN_BAR_WIDTH)} ${fields.percent}`.slice(0, Math.max(room, 0));
}

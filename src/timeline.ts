import { formatDuration } from './format.ts';

/**
 * The moments of a staging run that show where its time went, in the order a full-mode run
 * reaches them when nothing overlaps: the archive's bytes arrive, the last `.riva` part lands
 * and the server completes the uploads, the archive's copy completes (server-side, meanwhile),
 * then the metadata, its verification and the marker follow one after the other.
 */
export const TIMELINE_EVENTS = [
  'first byte down',
  'last byte down',
  'last part up',
  'files uploaded',
  'archive copied',
  'metadata written',
  'verified',
  'marker written',
] as const;

export type TimelineEvent = (typeof TIMELINE_EVENTS)[number];

/** When an event happened, in milliseconds from the start of the staging. */
export interface TimelineEntry {
  readonly event: TimelineEvent;
  readonly offsetMs: number;
}

/**
 * Records when each event of one run happened. The clock is injected (milliseconds, monotonic)
 * so the recorder is pure; the run's start is the moment it is created.
 */
export class Timeline {
  readonly #clock: () => number;
  readonly #origin: number;
  readonly #offsets = new Map<TimelineEvent, number>();

  constructor(clock: () => number = () => performance.now()) {
    this.#clock = clock;
    this.#origin = clock();
  }

  /** `event` happened now; a later mark moves it (the last part up is the last of many uploads). */
  mark(event: TimelineEvent): void {
    this.#offsets.set(event, this.#clock() - this.#origin);
  }

  /** `event` happened now unless it already had: the first of many. */
  markFirst(event: TimelineEvent): void {
    if (!this.#offsets.has(event)) this.mark(event);
  }

  /** What happened, earliest first; events at the same moment in their usual order. */
  entries(): TimelineEntry[] {
    return [...this.#offsets]
      .map(([event, offsetMs]) => ({ event, offsetMs }))
      .sort((a, b) => a.offsetMs - b.offsetMs || TIMELINE_EVENTS.indexOf(a.event) - TIMELINE_EVENTS.indexOf(b.event));
  }
}

/** `first byte down 410 ms, last byte down 10.93 s, …`: one line for a summary or a log. */
export function formatTimeline(entries: readonly TimelineEntry[]): string {
  return entries.map((entry) => `${entry.event} ${formatDuration(entry.offsetMs)}`).join(', ');
}

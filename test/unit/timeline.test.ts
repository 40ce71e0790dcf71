import { describe, expect, it } from 'vitest';
import { formatTimeline, Timeline } from '../../src/timeline.ts';

/** A clock that reads what the test set last. */
function manualClock(start = 1000) {
  let now = start;
  return { read: () => now, set: (value: number) => void (now = value) };
}

describe('timeline', () => {
  it('records offsets from its creation, earliest first', () => {
    const clock = manualClock(5000);
    const timeline = new Timeline(clock.read);
    clock.set(5400);
    timeline.markFirst('first byte down');
    clock.set(6000);
    timeline.mark('archive copied');
    clock.set(9000);
    timeline.mark('last byte down');
    expect(timeline.entries()).toEqual([
      { event: 'first byte down', offsetMs: 400 },
      { event: 'archive copied', offsetMs: 1000 },
      { event: 'last byte down', offsetMs: 4000 },
    ]);
  });

  it('keeps the first of a markFirst event and the last of a mark event', () => {
    const clock = manualClock(0);
    const timeline = new Timeline(clock.read);
    for (const at of [10, 20, 30]) {
      clock.set(at);
      timeline.markFirst('first byte down');
      timeline.mark('last part up');
    }
    expect(timeline.entries()).toEqual([
      { event: 'first byte down', offsetMs: 10 },
      { event: 'last part up', offsetMs: 30 },
    ]);
  });

  it('orders events of the same moment as a run reaches them', () => {
    const clock = manualClock(0);
    const timeline = new Timeline(clock.read);
    clock.set(50);
    timeline.mark('marker written');
    timeline.mark('verified');
    timeline.mark('metadata written');
    expect(timeline.entries().map((entry) => entry.event)).toEqual(['metadata written', 'verified', 'marker written']);
  });

  it('renders one line, and nothing for a run that recorded nothing', () => {
    expect(
      formatTimeline([
        { event: 'first byte down', offsetMs: 412 },
        { event: 'last byte down', offsetMs: 10_930 },
      ]),
    ).toBe('first byte down 412 ms, last byte down 10.93 s');
    expect(formatTimeline(new Timeline().entries())).toBe('');
  });
});

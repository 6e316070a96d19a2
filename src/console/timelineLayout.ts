/** Where everything of the Timeline's picture goes: pure arithmetic on epoch milliseconds. */

export interface TimelineRun {
  prcid: number;
  mapref: string;
  status: string;
  startMs: number;
  /** Null while running (the bar ends at now). */
  endMs: number | null;
  tip: string;
}

export interface TimelineOccurrence {
  mapref: string;
  atMs: number;
  tip: string;
}

export interface TimelineInput {
  startMs: number;
  endMs: number;
  nowMs: number;
  runs: readonly TimelineRun[];
  occurrences: readonly TimelineOccurrence[];
  /** Hour lines: their instants and labels. */
  ticks: readonly { atMs: number; label: string }[];
}

export const LABEL_WIDTH = 200;
export const PLOT_WIDTH = 960;
export const ROW_HEIGHT = 24;
export const AXIS_HEIGHT = 22;
/** A bar is never thinner than this, so a run of one second stays visible and clickable. */
export const MIN_BAR = 3;

export interface TimelineLayout {
  width: number;
  height: number;
  rows: { mapref: string; y: number }[];
  bars: (TimelineRun & { x: number; y: number; width: number })[];
  /** Occurrences still to come, as the schedule engine computes them; `r` shrinks as a row's marks crowd. */
  marks: (TimelineOccurrence & { x: number; y: number; r: number })[];
  ticks: { x: number; label: string }[];
  /** The now line, when now is inside the day. */
  nowX: number | null;
}

/** Marks spread evenly over the plot keep apart: 4.5 px at most, 1.5 px at least. */
function markRadius(marksInRow: number): number {
  return Math.min(4.5, Math.max(1.5, PLOT_WIDTH / marksInRow / 3));
}

export function layoutTimeline(input: TimelineInput): TimelineLayout {
  const marksPerRow = new Map<string, number>();
  for (const o of input.occurrences) marksPerRow.set(o.mapref, (marksPerRow.get(o.mapref) ?? 0) + 1);
  const span = input.endMs - input.startMs;
  const xOf = (ms: number) => LABEL_WIDTH + (Math.min(Math.max(ms, input.startMs), input.endMs) - input.startMs) / span * PLOT_WIDTH;
  const maprefs = [...new Set([...input.runs.map((r) => r.mapref), ...input.occurrences.map((o) => o.mapref)])].sort();
  const rowY = new Map(maprefs.map((m, i) => [m, AXIS_HEIGHT + i * ROW_HEIGHT]));
  return {
    width: LABEL_WIDTH + PLOT_WIDTH + 10,
    height: AXIS_HEIGHT + Math.max(1, maprefs.length) * ROW_HEIGHT + 4,
    rows: maprefs.map((mapref) => ({ mapref, y: rowY.get(mapref)! })),
    bars: input.runs.map((run) => {
      const x = xOf(run.startMs);
      const end = xOf(run.endMs ?? Math.max(run.startMs, input.nowMs));
      return { ...run, x, y: rowY.get(run.mapref)! + 4, width: Math.max(MIN_BAR, end - x) };
    }),
    marks: input.occurrences
      .filter((o) => o.atMs >= input.startMs && o.atMs < input.endMs)
      .map((o) => ({ ...o, x: xOf(o.atMs), y: rowY.get(o.mapref)! + ROW_HEIGHT / 2, r: markRadius(marksPerRow.get(o.mapref) ?? 1) })),
    ticks: input.ticks.map((t) => ({ x: xOf(t.atMs), label: t.label })),
    nowX: input.nowMs >= input.startMs && input.nowMs < input.endMs ? xOf(input.nowMs) : null,
  };
}

/** How many of each part the incident screen shows, so that the live region fits the terminal. */
export interface IncidentLayout {
  metrics: number;
  hypotheses: number;
  /** Whether each hypothesis gets a second line with its top evidence. */
  evidence: boolean;
  streaming: number;
  actions: number;
  notices: number;
  timeline: number;
}

export interface IncidentCounts {
  metrics: number;
  hypotheses: number;
  streaming: number;
  actions: number;
  notices: number;
  timeline: number;
}

const HEADER_LINES = 2;
const FOOTER_LINES = 1;
/** Titles of Metrics, Hypotheses, Actions, Timeline. */
const SECTION_TITLES = 4;

/**
 * Metrics and notices are always shown (capped); hypotheses come next, then actions, and the
 * timeline takes what is left. One line stays free: a frame as tall as the terminal makes Ink
 * clear the whole screen on every render.
 */
export function incidentLayout(rows: number, counts: IncidentCounts): IncidentLayout {
  let free = rows - 1 - HEADER_LINES - FOOTER_LINES - SECTION_TITLES;
  const take = (wanted: number, cap: number) => {
    const granted = Math.max(0, Math.min(wanted, cap, free));
    free -= granted;
    return granted;
  };
  const metrics = take(counts.metrics, 8);
  const notices = take(counts.notices, 3);
  const streaming = take(counts.streaming, 2);
  const wantedHypotheses = Math.min(counts.hypotheses, 3);
  // Evidence lines go first when room is short: the ranked list matters more than its support.
  const evidence = free - 2 >= wantedHypotheses * 2;
  let hypotheses: number;
  if (evidence) {
    hypotheses = wantedHypotheses;
    free -= wantedHypotheses * 2;
  } else {
    hypotheses = take(wantedHypotheses, 3);
  }
  const actions = take(counts.actions, 3);
  const timeline = take(counts.timeline, 8);
  return { metrics, hypotheses, evidence, streaming, actions, notices, timeline };
}

/** How many of each part the incident screen shows, so that the live region fits the terminal. */
export interface IncidentLayout {
  metrics: number;
  hypotheses: number;
  /** Whether each hypothesis gets a second line with its top evidence. */
  evidence: boolean;
  streaming: number;
  /** Lines given to each hypothesis being written (1 to 3). */
  streamingLines: number;
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
 * Metrics and notices come first, then the leading hypothesis and the actions, then the other
 * hypotheses, their evidence, more lines for text being written, and the timeline takes what is
 * left. One line stays free: a frame
 * as tall as the terminal makes Ink clear the whole screen on every render.
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
  const leading = take(wantedHypotheses, 1);
  const actions = take(counts.actions, 3);
  const hypotheses = leading + take(wantedHypotheses - leading, 3);
  const evidence = hypotheses > 0 && free >= hypotheses;
  if (evidence) free -= hypotheses;
  // Text being written reads better over a few lines than as a one-line ticker.
  const extraStreamingLines = streaming > 0 ? Math.min(2, Math.floor(free / streaming)) : 0;
  free -= extraStreamingLines * streaming;
  const timeline = take(counts.timeline, 8);
  return { metrics, hypotheses, evidence, streaming, streamingLines: 1 + extraStreamingLines, actions, notices, timeline };
}

// How a bench gives `npm run bench` (bench/run.mjs) the figures for its closing table: one line
// per figure on stdout, `bench-row {json}`. Everything else a bench prints is shown as it comes.

/**
 * @param {{ what: string, figure: string, against: string, target?: string }} row
 *   what: the quantity; figure: the value measured here; against: what it was measured against
 *   (the reference run side by side, or the baseline), so that a figure is never read alone.
 */
export function reportRow(row) {
  console.log(`bench-row ${JSON.stringify(row)}`);
}

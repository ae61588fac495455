/**
 * The console's reusable panels. Each renders in a `rows` x `columns` budget and has a factory
 * (`xxxPanel(data, options)`) that returns a ShellPanel: what it asks of the layout and how it
 * renders. A mode's screen arranges these in a ScreenShell (see src/ui/README.md); a panel
 * only its mode needs is written the same way, here, so that others can reuse it.
 */
export { actionsPanel, Actions } from './Actions.js';
export { drillLinesPanel, DrillLines, DrillLineView } from './DrillLines.js';
export { figuresPanel, Figures, type Figure } from './Figures.js';
export { CompactGauges, FullGauges, Gauges, gaugesPanel } from './Gauges.js';
export { hypothesesPanel, Hypotheses } from './Hypotheses.js';
export { injectedMetricsPanel, InjectedMetrics } from './InjectedMetrics.js';
export { noticesPanel, Notices, type NoticeItem } from './Notices.js';
export { moveProcessSelection, ProcessTable, processTablePanel, type ProcessRow } from './ProcessTable.js';
export { selectListPanel } from './SelectList.js';
export { timelinePanel, Timeline, type TimelineItem } from './Timeline.js';
export { latencySparklinePanel, LatencySparkline, type LatencySeries } from './LatencySparkline.js';
export { probeStripPanel, ProbeStrip, WindowMarks, type ProbeStripRow, type WindowMark } from './ProbeStrip.js';
export { contextLines, contextPanel } from './Context.js';
export { stageAnswersPanel, StageAnswers, type StageAnswerRow } from './StageAnswers.js';
export { paragraphs, textPanel, TextLines, wrapText, type TextLine } from './TextLines.js';

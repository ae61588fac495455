import { resolveLlmSettings, selectAnalyzer } from '../analysis/select.js';
import { ApiError, streamRemoteIncident } from '../api/client.js';
import { loadConfig, type FiredrillConfig } from '../config/config.js';
import { describeAction } from '../analysis/actions.js';
import { formatValue } from '../analysis/builtin.js';
import { defaultScenariosDir, findScenario, knownRootCauses, loadScenarios, scenarioWarning } from '../incidents/load.js';
import { currentSigma } from '../incidents/metric-series.js';
import { checkNeo4jSettings } from '../history/neo4j-settings.js';
import { incidentRecordFrom, keepInHistory } from '../history/record.js';
import { parseHttpUrl } from '../http/url.js';
import { collectIncidentReport, runSimulation } from '../incidents/simulation.js';
import type { Hypothesis, IncidentEvent, MetricPoint, RecommendedAction, Scenario } from '../incidents/types.js';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, parseFlags, pathsFromFlags, speedFlag, UsageError, writeLine, type Command } from './command.js';
import { terminalSafeJson } from '../text/sanitize.js';

const WAITING_LINE_EVERY_SECONDS = 5;

const HELP = `Usage: firedrill incident ID [--speed N] [--json] [--api URL [--api-key K]] [--llm-url U] [--llm-model M]

Plays an incident scenario: injects its metrics, opens the incident, analyses it and recommends
actions, printing the timeline and the hypotheses as they come. "firedrill scenarios" lists the ids.

Flags:
  --speed N         scenario seconds played per real second (default 30: a 300 s scenario takes 10 s)
  --json            print only one JSON object at the end:
                    {scenario, source, severity, hypotheses (by confidence), actions}
  --api URL         run the scenario on a firedrill (or compatible) incident API instead of in-process
  --api-key K       its key (default: FIREDRILL_API_KEY, then api.key in the config file)
  --llm-url U, --llm-model M   analyse with an LLM (OpenAI-compatible); the built-in analyzer is the fallback
  --llm-timeout S   seconds for the LLM's whole answer (default 120, or FIREDRILL_LLM_TIMEOUT, or
                    llm.timeout_seconds); its first word gets llm.first_byte_timeout_seconds (20)
  --config FILE, --data-dir DIR
`;

/** Exit codes after Ctrl-C (SIGINT) and SIGTERM / SIGHUP, as shells report them. */
const EXIT_INTERRUPTED = 130;
const EXIT_TERMINATED = 143;

export const command: Command = async (ctx) => {
  const { values, positionals } = parseFlags(
    'incident',
    ctx.argv,
    {
      speed: { type: 'string' },
      json: { type: 'boolean' },
      api: { type: 'string' },
      'api-key': { type: 'string' },
      'llm-url': { type: 'string' },
      'llm-timeout': { type: 'string' },
      'llm-model': { type: 'string' },
      config: { type: 'string' },
      'data-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    true,
  );
  if (values.help) {
    ctx.stdout.write(HELP);
    return EXIT_OK;
  }
  const [scenarioId, ...extra] = positionals;
  if (scenarioId === undefined) throw new UsageError('firedrill incident: which scenario? Give its id (see "firedrill scenarios")');
  if (extra.length > 0) throw new UsageError(`firedrill incident: one scenario id at a time, got also "${extra.join(' ')}"`);
  const speed = speedFlag(values.speed);
  const paths = pathsFromFlags(values, ctx.env);

  const config: FiredrillConfig = loadConfig(paths.configFile, { required: values.config !== undefined });
  checkNeo4jSettings('incident', config, ctx.env);

  let events: AsyncGenerator<IncidentEvent, void>;
  let scenario: Scenario | undefined;
  if (values.api !== undefined) {
    const apiKey = values['api-key'] ?? ctx.env.FIREDRILL_API_KEY ?? config.api.key;
    if (!apiKey) throw new UsageError('firedrill incident: --api needs a key: pass --api-key K or set FIREDRILL_API_KEY');
    if (speed !== undefined) writeLine(ctx.stderr, 'warning: --speed is ignored with --api: the server plays the scenario at its own speed');
    events = streamRemoteIncident({ baseUrl: parseHttpUrl(values.api, '--api', 'api').toString(), apiKey, scenarioId, signal: ctx.signal });
  } else {
    const loaded = loadScenarios(defaultScenariosDir(ctx.env));
    for (const error of loaded.errors) writeLine(ctx.stderr, `warning: ${scenarioWarning(error)}`);
    scenario = findScenario(scenarioId, loaded.scenarios);
    if (!scenario) {
      const ids = loaded.scenarios.map((known) => known.id).sort();
      if (ids.length === 0) throw new UsageError(`firedrill incident: no scenarios to choose "${scenarioId}" from (see the warning above)`);
      throw new UsageError(`firedrill incident: unknown scenario "${scenarioId}"; valid ids: ${ids.join(', ')}`);
    }
    // The one place where the analyzer is chosen: the LLM when one is configured (built-in as its fallback), else the built-in one.
    const analyzer = selectAnalyzer(resolveLlmSettings({ llmUrl: values['llm-url'], llmModel: values['llm-model'], llmTimeout: values['llm-timeout'] }, ctx.env, config.llm));
    events = runSimulation({
      scenario,
      analyzer,
      knownRootCauses: knownRootCauses(loaded.scenarios),
      signal: ctx.signal,
      ...(speed === undefined ? {} : { speed }),
    });
  }

  const printer = values.json ? undefined : new TextPrinter(ctx.stdout, scenario);
  const seen: IncidentEvent[] = [];
  let finish: Extract<IncidentEvent, { type: 'incident-finished' }> | undefined;
  try {
    for await (const event of events) {
      seen.push(event);
      if (event.type === 'incident-finished') finish = event;
      if (event.type === 'notice' && (values.json || event.level !== 'info')) {
        writeLine(ctx.stderr, `${event.level === 'info' ? '' : `${event.level}: `}${event.message}`);
      }
      // An analyzer that waits says so at once, then every few seconds rather than every second.
      if (event.type === 'analysis-waiting' && (event.waitedSeconds === 1 || event.waitedSeconds % WAITING_LINE_EVERY_SECONDS === 0)) writeLine(ctx.stderr, event.message);
      printer?.print(event);
    }
  } catch (error) {
    if (error instanceof ApiError) {
      writeLine(ctx.stderr, `firedrill incident: ${error.message}`);
      return error.kind === 'not-found' || error.kind === 'bad-url' ? EXIT_USAGE : EXIT_FAILED;
    }
    throw error;
  } finally {
    // Kept in this machine's history whatever the outcome, once the incident was opened.
    const record = incidentRecordFrom(seen);
    if (record) {
      const problem = await keepInHistory({ paths, config, env: ctx.env }, { incident: record });
      if (problem) writeLine(ctx.stderr, `firedrill incident: history: ${problem}`);
    }
  }

  if (finish?.status === 'stopped' || (finish === undefined && ctx.signal.aborted)) {
    writeLine(ctx.stderr, 'firedrill incident: stopped');
    return String((ctx.signal.reason as Error | undefined)?.message) === 'SIGINT' ? EXIT_INTERRUPTED : EXIT_TERMINATED;
  }
  if (finish?.status !== 'completed') {
    writeLine(ctx.stderr, `firedrill incident: the simulation failed: ${finish?.error ?? 'it ended without a result'}`);
    return EXIT_FAILED;
  }
  if (values.json) writeLine(ctx.stdout, terminalSafeJson(collectIncidentReport(seen)));
  return EXIT_OK;
};

/** The human-readable run: timeline lines stamped with scenario time, a few metric snapshots, hypotheses and actions as they arrive. */
class TextPrinter {
  private elapsedSeconds = 0;
  private nextSnapshotAt = 0;

  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly scenario: Scenario | undefined,
  ) {}

  print(event: IncidentEvent): void {
    switch (event.type) {
      case 'incident-opened': {
        const scenario = this.scenario;
        const title = scenario ? `${scenario.name} (${scenario.id})` : event.scenarioId;
        writeLine(this.out, `${title}: ${event.severity}${scenario ? `, ${scenario.service}, ${scenario.durationSeconds} s of scenario` : ''}`);
        writeLine(this.out, `  simulation ${event.simulationId}, incident ${event.incidentId}`);
        break;
      }
      case 'metrics':
        this.elapsedSeconds = event.elapsedSeconds;
        if (event.elapsedSeconds >= this.nextSnapshotAt) {
          // A remote scenario's length is not known here: snapshot every minute of scenario time.
          this.nextSnapshotAt += this.scenario ? this.scenario.durationSeconds / 4 : 60;
          writeLine(this.out, `${this.stamp()} metrics: ${this.snapshot(event.points)}`);
        }
        break;
      case 'timeline':
        if (!event.message.startsWith('hypothesis ')) writeLine(this.out, `${this.stamp()} ${event.message}`);
        break;
      case 'source':
        writeLine(this.out, `${this.stamp()} analyzer: ${event.source}`);
        break;
      case 'hypothesis':
        this.printHypothesis(event.index, event.hypothesis);
        break;
      case 'action':
        this.printAction(event.action);
        break;
      case 'notice':
        if (event.level === 'info') writeLine(this.out, `${this.stamp()} note: ${event.message}`);
        break;
      case 'hypothesis-text':
      case 'analysis-waiting':
      case 'analysis-finished':
      case 'incident-finished':
        break;
      default: {
        const unknown: never = event;
        void unknown;
      }
    }
  }

  private stamp(): string {
    return `[${String(Math.round(this.elapsedSeconds)).padStart(4)} s]`;
  }

  /** The three metrics furthest from their baselines (in sigmas when the scenario is known here). */
  private snapshot(points: MetricPoint[]): string {
    const metrics = this.scenario?.metrics;
    if (!metrics) return points.slice(0, 3).map((point) => `${point.name} ${formatValue(point.value, point.unit)} (baseline ${formatValue(point.baseline, point.unit)})`).join(', ');
    return points
      .map((point, index) => ({ point, sigma: currentSigma(metrics[index]!, point.value) }))
      .sort((a, b) => Math.abs(b.sigma) - Math.abs(a.sigma))
      .slice(0, 3)
      .map(({ point, sigma }) => `${point.name} ${formatValue(point.value, point.unit)} (${sigma >= 0 ? '+' : ''}${sigma.toFixed(1)}σ)`)
      .join(', ');
  }

  private printHypothesis(index: number, hypothesis: Hypothesis): void {
    writeLine(this.out, `${this.stamp()} hypothesis ${index + 1}: ${Math.round(hypothesis.confidence * 100)}% ${hypothesis.category}: ${hypothesis.description}`);
    for (const item of hypothesis.evidence) writeLine(this.out, `           - ${item.observation} [${item.signal}, relevance ${item.relevance}]`);
    writeLine(this.out, `           why: ${hypothesis.reasoning}`);
  }

  private printAction(action: RecommendedAction): void {
    writeLine(this.out, `${this.stamp()} action ${describeAction(action)}`);
    if (action.rationale) writeLine(this.out, `           ${action.rationale}`);
  }
}

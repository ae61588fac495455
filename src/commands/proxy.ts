import { ProxyControlClient, startControl } from '../proxy/control.js';
import { parseAddress, TOXIC_FLAGS, TOXIC_FLAGS_HELP, toxicsFromFlags } from '../proxy/flags.js';
import { DEFAULT_MAX_CONNECTIONS, FaultProxy, MAX_CONNECTIONS_LIMIT } from '../proxy/proxy.js';
import { describeToxic, normalizeToxics, toxicInputSchema, type Toxic } from '../proxy/toxics.js';
import { EXIT_FAILED, EXIT_OK, parseFlags, positiveInteger, UsageError, writeLine, type Command, type CommandContext } from './command.js';

const USAGE = `Usage:
  firedrill proxy --listen [HOST:]PORT --upstream HOST:PORT [--control [HOST:]PORT]
                  [--max-connections N] [--json] [toxics]
                                 a TCP fault proxy in front of HOST:PORT until Ctrl-C
  firedrill proxy set --control URL [--clear] [toxics]
                                 change a running proxy's toxics (--clear alone removes them all)
  firedrill proxy status --control URL [--json]

The proxy listens on 127.0.0.1 unless HOST says otherwise. Its control endpoint (loopback only;
an ephemeral port unless --control is given) is printed at start: a small JSON API close to
Toxiproxy's (GET /proxy, GET|POST|PUT|DELETE /toxics, DELETE /toxics/NAME).

${TOXIC_FLAGS_HELP}
`;

function usage(message: string): UsageError {
  return new UsageError(`firedrill proxy: ${message}\n\n${USAGE}`);
}

function toxics(values: Parameters<typeof toxicsFromFlags>[0]): Toxic[] {
  try {
    return normalizeToxics(toxicsFromFlags(values).map((input) => toxicInputSchema.parse(input)));
  } catch (error) {
    throw usage((error as Error).message);
  }
}

function printToxics(context: CommandContext, list: readonly Toxic[]): void {
  writeLine(context.stdout, list.length === 0 ? 'toxics: none' : `toxics: ${list.map(describeToxic).join('; ')}`);
}

async function runProxy(context: CommandContext): Promise<number> {
  const { values } = parseFlags('proxy', context.argv, {
    listen: { type: 'string' },
    upstream: { type: 'string' },
    control: { type: 'string' },
    'max-connections': { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
    ...TOXIC_FLAGS,
  });
  if (values.help) {
    context.stdout.write(USAGE);
    return EXIT_OK;
  }
  if (values.listen === undefined || values.upstream === undefined) throw usage('--listen and --upstream are needed');
  let listen, upstream, control;
  try {
    listen = parseAddress('--listen', values.listen, true);
    upstream = parseAddress('--upstream', values.upstream);
    control = values.control === undefined ? { host: '127.0.0.1', port: 0 } : parseAddress('--control', values.control, true);
  } catch (error) {
    throw usage((error as Error).message);
  }
  if (!['127.0.0.1', 'localhost', '::1'].includes(control.host)) throw usage(`--control must stay on loopback, got "${control.host}"`);
  const maxConnections = positiveInteger('max-connections', values['max-connections']) ?? DEFAULT_MAX_CONNECTIONS;
  if (maxConnections > MAX_CONNECTIONS_LIMIT) throw usage(`--max-connections must be at most ${MAX_CONNECTIONS_LIMIT}, got ${maxConnections}`);

  const proxy = new FaultProxy({
    listenHost: listen.host,
    listenPort: listen.port,
    upstreamHost: upstream.host,
    upstreamPort: upstream.port,
    maxConnections,
    toxics: toxics(values),
  });
  let bound;
  try {
    bound = await proxy.start();
  } catch (error) {
    writeLine(context.stderr, `firedrill proxy: cannot listen on ${values.listen}: ${(error as Error).message}`);
    return EXIT_FAILED;
  }
  let endpoint;
  try {
    endpoint = await startControl(proxy, control.port, control.host);
  } catch (error) {
    await proxy.close();
    writeLine(context.stderr, `firedrill proxy: cannot open the control endpoint on ${control.host}:${control.port}: ${(error as Error).message}`);
    return EXIT_FAILED;
  }
  const listenText = `${bound.host}:${bound.port}`;
  if (values.json) {
    writeLine(context.stdout, JSON.stringify({ listen: listenText, upstream: proxy.upstream(), control: endpoint.url, toxics: proxy.toxics() }));
  } else {
    writeLine(context.stdout, `firedrill proxy: ${listenText} -> ${proxy.upstream()}, control ${endpoint.url}`);
    printToxics(context, proxy.toxics());
  }
  await new Promise<void>((resolve) => {
    if (context.signal.aborted) resolve();
    context.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await Promise.all([endpoint.close(), proxy.close()]);
  return EXIT_OK;
}

async function controlCommand(context: CommandContext, action: 'set' | 'status'): Promise<number> {
  const { values } = parseFlags(`proxy ${action}`, context.argv.slice(1), {
    control: { type: 'string' },
    json: { type: 'boolean' },
    clear: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
    ...(action === 'set' ? TOXIC_FLAGS : {}),
  });
  if (values.help) {
    context.stdout.write(USAGE);
    return EXIT_OK;
  }
  if (values.control === undefined) throw usage('--control URL is needed (printed by the proxy at start)');
  const url = /^\d{1,5}$/.test(values.control) ? `http://127.0.0.1:${values.control}` : values.control.replace(/\/+$/, '');
  const client = new ProxyControlClient(url);
  try {
    if (action === 'status') {
      const state = await client.state();
      if (values.json) {
        writeLine(context.stdout, JSON.stringify(state));
        return EXIT_OK;
      }
      const { stats } = state;
      writeLine(context.stdout, `proxy ${state.listen} -> ${state.upstream}`);
      printToxics(context, state.toxics);
      writeLine(
        context.stdout,
        `connections: ${stats.connectionsActive} open, ${stats.connectionsTotal} in all, ${stats.resets} reset, ${stats.upstreamErrors} upstream errors, ${stats.refused} refused`,
      );
      return EXIT_OK;
    }
    const added = toxics(values as Parameters<typeof toxicsFromFlags>[0]);
    if (!values.clear && added.length === 0) throw usage('give toxics to add, or --clear');
    if (values.clear) await client.clear();
    printToxics(context, added.length > 0 ? await client.add(added) : []);
    return EXIT_OK;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    writeLine(context.stderr, `firedrill proxy ${action}: ${(error as Error).message}`);
    return EXIT_FAILED;
  }
}

export const command: Command = async (context) => {
  const first = context.argv[0];
  if (first === 'set' || first === 'status') return controlCommand(context, first);
  return runProxy(context);
};

/**
 * Which Neo4j history replicates to, and what its URI must look like, checked where it enters (the config file's neo4j.uri, NEO4J_URI,
 * --neo4j-uri) so that a mistyped one is a clear error before anything runs, rather than a driver
 * exception after a run (which used to stop the local save as well). Kept apart from
 * neo4j-store.ts so that checking a setting never loads the driver.
 */
import { z } from 'zod';
import type { FiredrillConfig } from '../config/config.js';
import { UsageError } from '../errors.js';
import type { Neo4jSettings } from './neo4j-store.js';

export const NEO4J_SCHEMES = ['neo4j', 'neo4j+s', 'neo4j+ssc', 'bolt', 'bolt+s', 'bolt+ssc'] as const;
const MAX_URI_LENGTH = 2048;
const EXAMPLE = 'bolt://localhost:7687 or neo4j+s://db.example.com';

function shown(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}...` : text);
}

/** Why `raw` is not a URI the driver can use, or nothing. */
export function neo4jUriProblem(raw: string): string | undefined {
  const text = raw.trim();
  if (text === '') return 'found an empty value';
  if (text.length > MAX_URI_LENGTH) return `found ${text.length} characters (at most ${MAX_URI_LENGTH})`;
  if (/\s/.test(text)) return `found ${shown(text)}, which holds a space`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `found ${shown(text)}, which is not a URI`;
  }
  const scheme = url.protocol.replace(/:$/, '');
  if (!(NEO4J_SCHEMES as readonly string[]).includes(scheme)) {
    return /^[a-z0-9.-]+:\d+/i.test(text) ? `found ${shown(text)}, which has no bolt:// or neo4j:// in front` : `found the scheme "${scheme}:"`;
  }
  if (url.hostname === '') return `found ${shown(text)}, which names no host`;
  // The password belongs in neo4j.password / NEO4J_PASSWORD: a URI is printed in messages.
  if (url.username !== '' || url.password !== '') return 'found credentials in the URI (use neo4j.username and neo4j.password, or NEO4J_USERNAME and NEO4J_PASSWORD)';
  if (url.pathname !== '' && url.pathname !== '/') return `found the path "${url.pathname}" (a Neo4j URI has none)`;
  return undefined;
}

/** The check as a config-file field: the loader adds the file and the key (neo4j.uri). */
export const neo4jUriSchema = z.string().superRefine((raw, context) => {
  const problem = neo4jUriProblem(raw);
  if (problem !== undefined) context.addIssue({ code: 'custom', message: `expected a Neo4j URI such as ${EXAMPLE}, ${problem}` });
});

/** A URI from a flag or an environment variable; a UsageError (exit 2) naming `source` otherwise. */
export function checkNeo4jUri(raw: string, source: string): string {
  const problem = neo4jUriProblem(raw);
  if (problem !== undefined) throw new UsageError(`${source}: expected a Neo4j URI such as ${EXAMPLE}, ${problem}`);
  return raw.trim();
}

/** Neo4j settings from command-line flags; they win over the environment, which wins over the config file. */
export interface Neo4jOverrides {
  uri?: string;
  username?: string;
  password?: string;
}

/**
 * The Neo4j to replicate to, from flags, then NEO4J_* environment variables, then the config file;
 * null when none is set. A URI from a flag or NEO4J_URI that is not one is a UsageError naming it
 * (exit 2); the config file's was checked when it loaded. Commands call this before they start
 * work, so that a mistyped setting stops them at once rather than after a run.
 */
export function resolveNeo4jSettings(
  config: Pick<FiredrillConfig, 'neo4j'>,
  env: NodeJS.ProcessEnv,
  overrides: Neo4jOverrides = {},
): Neo4jSettings | null {
  // An empty variable is unset (the shell's habit); an empty --neo4j-uri turns Neo4j off for one command.
  if (overrides.uri === '') return null;
  const uri =
    overrides.uri !== undefined
      ? checkNeo4jUri(overrides.uri, '--neo4j-uri')
      : env.NEO4J_URI
        ? checkNeo4jUri(env.NEO4J_URI, 'NEO4J_URI')
        : config.neo4j.uri;
  if (!uri) return null;
  const settings: Neo4jSettings = {
    uri,
    username: overrides.username ?? (env.NEO4J_USERNAME || env.NEO4J_USER || undefined) ?? config.neo4j.username ?? 'neo4j',
  };
  const password = overrides.password ?? (env.NEO4J_PASSWORD || undefined) ?? config.neo4j.password;
  if (password !== undefined) settings.password = password;
  if (env.NEO4J_DATABASE) settings.database = env.NEO4J_DATABASE;
  return settings;
}

/**
 * For a command about to start work: a mistyped Neo4j setting (flag or NEO4J_URI; the config file's
 * was checked when it loaded) stops it now, as a UsageError naming the command and the setting.
 */
export function checkNeo4jSettings(commandName: string, config: Pick<FiredrillConfig, 'neo4j'>, env: NodeJS.ProcessEnv, overrides?: Neo4jOverrides): void {
  try {
    resolveNeo4jSettings(config, env, overrides);
  } catch (error) {
    if (error instanceof UsageError) throw new UsageError(`firedrill ${commandName}: ${error.message}`);
    throw error;
  }
}

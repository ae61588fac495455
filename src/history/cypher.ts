/**
 * Every Cypher statement firedrill sends to Neo4j, parameterised, as named constants written out in
 * full: no interpolation, so that the text here is the text Neo4j runs (the tests check both, and
 * lint each statement with Neo4j's own parser). The graph keeps mythos-test's shape, so that its queries keep
 * working: (:TestMachine)-[:HAD_TEST_RUN]->(:TestRun)<-[:TESTED_BY]-(:System {name:'localhost'}),
 * with `results` as a JSON string on the run. firedrill adds (:DrillResult) per drill,
 * (:Event) per monitor event (logged by the System, as the original monitor did) and
 * (:IncidentSimulation) per simulation, and (:TestMachine)-[:HAD_SESSION]->(:Session) per session of
 * the new modes (demo, experiment, gameday, workload).
 *
 * Writes MERGE on ids rather than CREATE: replication from the outbox delivers at least once (two
 * processes may push the same run), and MERGE makes a second delivery a no-op.
 */

export const SCHEMA_STATEMENTS = [
  'CREATE CONSTRAINT firedrill_test_machine_hostname IF NOT EXISTS FOR (m:TestMachine) REQUIRE m.hostname IS UNIQUE',
  'CREATE CONSTRAINT firedrill_test_run_id IF NOT EXISTS FOR (r:TestRun) REQUIRE r.id IS UNIQUE',
  'CREATE CONSTRAINT firedrill_drill_result_id IF NOT EXISTS FOR (d:DrillResult) REQUIRE d.id IS UNIQUE',
  'CREATE CONSTRAINT firedrill_event_id IF NOT EXISTS FOR (e:Event) REQUIRE e.id IS UNIQUE',
  'CREATE CONSTRAINT firedrill_incident_id IF NOT EXISTS FOR (i:IncidentSimulation) REQUIRE i.id IS UNIQUE',
  'CREATE CONSTRAINT firedrill_system_name IF NOT EXISTS FOR (s:System) REQUIRE s.name IS UNIQUE',
  'CREATE CONSTRAINT firedrill_session_id IF NOT EXISTS FOR (s:Session) REQUIRE s.id IS UNIQUE',
  'CREATE INDEX firedrill_test_run_time IF NOT EXISTS FOR (r:TestRun) ON (r.timestamp)',
  'CREATE INDEX firedrill_test_run_host_time IF NOT EXISTS FOR (r:TestRun) ON (r.hostname, r.timestamp)',
  'CREATE INDEX firedrill_drill_result_failures IF NOT EXISTS FOR (d:DrillResult) ON (d.hostname, d.success, d.test)',
  'CREATE INDEX firedrill_incident_host_time IF NOT EXISTS FOR (i:IncidentSimulation) ON (i.hostname, i.started_at)',
  'CREATE INDEX firedrill_session_time IF NOT EXISTS FOR (s:Session) ON (s.started_at)',
  'CREATE INDEX firedrill_session_kind_time IF NOT EXISTS FOR (s:Session) ON (s.kind, s.started_at)',
  'CREATE INDEX firedrill_session_host_time IF NOT EXISTS FOR (s:Session) ON (s.hostname, s.started_at)',
] as const;

/** $run: {id, hostname, timestamp, finished_at, total_tests, passed_tests, failed_tests, events_triggered, results}. */
export const SAVE_RUN = `
MERGE (machine:TestMachine {hostname: $run.hostname})
MERGE (run:TestRun {id: $run.id})
ON CREATE SET
  run.hostname = $run.hostname,
  run.timestamp = datetime($run.timestamp),
  run.finished_at = datetime($run.finished_at),
  run.total_tests = $run.total_tests,
  run.passed_tests = $run.passed_tests,
  run.failed_tests = $run.failed_tests,
  run.events_triggered = $run.events_triggered,
  run.results = $run.results
MERGE (machine)-[:HAD_TEST_RUN]->(run)
MERGE (sys:System {name: 'localhost'})
MERGE (sys)-[:TESTED_BY]->(run)
`;

/** $runId, $results: [{id, hostname, test, position, success, events_triggered, started_at, completed_at, duration_ms, summary, error, measured, detection}]. */
export const SAVE_DRILL_RESULTS = `
MATCH (run:TestRun {id: $runId})
UNWIND $results AS result
MERGE (drill:DrillResult {id: result.id})
ON CREATE SET
  drill.hostname = result.hostname,
  drill.run_id = $runId,
  drill.test = result.test,
  drill.position = result.position,
  drill.success = result.success,
  drill.events_triggered = result.events_triggered,
  drill.started_at = datetime(result.started_at),
  drill.completed_at = datetime(result.completed_at),
  drill.duration_ms = result.duration_ms,
  drill.summary = result.summary,
  drill.error = result.error,
  drill.measured = result.measured,
  drill.detection = result.detection
MERGE (run)-[:HAS_RESULT]->(drill)
`;

/** $events: [{id, result_id, type, timestamp, data}] where data is a JSON string (Neo4j properties hold no maps). */
export const SAVE_EVENTS = `
UNWIND $events AS item
MATCH (drill:DrillResult {id: item.result_id})
MERGE (event:Event {id: item.id})
ON CREATE SET event.type = item.type, event.timestamp = datetime(item.timestamp), event.data = item.data
MERGE (drill)-[:TRIGGERED]->(event)
MERGE (sys:System {name: 'localhost'})
MERGE (sys)-[:LOGGED]->(event)
`;

/** $incident: the IncidentSimulation's properties, hypotheses and actions as JSON strings. */
export const SAVE_INCIDENT = `
MERGE (machine:TestMachine {hostname: $incident.hostname})
MERGE (incident:IncidentSimulation {id: $incident.id})
SET
  incident.hostname = $incident.hostname,
  incident.scenario_id = $incident.scenario_id,
  incident.source = $incident.source,
  incident.severity = $incident.severity,
  incident.started_at = datetime($incident.started_at),
  incident.finished_at = datetime($incident.finished_at),
  incident.status = $incident.status,
  incident.top_description = $incident.top_description,
  incident.top_category = $incident.top_category,
  incident.top_confidence = $incident.top_confidence,
  incident.hypotheses = $incident.hypotheses,
  incident.actions = $incident.actions
MERGE (machine)-[:RAN_SIMULATION]->(incident)
`;

/** $machine (null for every machine), $offset, $limit. */
export const LIST_RUNS = `
MATCH (machine:TestMachine)-[:HAD_TEST_RUN]->(run:TestRun)
WHERE $machine IS NULL OR machine.hostname = $machine
RETURN
  run.id AS id, run.hostname AS machine, toString(run.timestamp) AS startedAt,
  toString(run.finished_at) AS finishedAt, run.total_tests AS total, run.passed_tests AS passed,
  run.failed_tests AS failed, run.events_triggered AS events
ORDER BY run.timestamp DESC, run.id DESC
SKIP $offset LIMIT $limit
`;

export const COUNT_RUNS = `
MATCH (machine:TestMachine)-[:HAD_TEST_RUN]->(run:TestRun)
WHERE $machine IS NULL OR machine.hostname = $machine
RETURN count(run) AS runs
`;

/** The run with its full results JSON, from which the report is rebuilt. */
export const GET_RUN = `
MATCH (run:TestRun {id: $id})
RETURN
  run.id AS id, run.hostname AS machine, toString(run.timestamp) AS startedAt,
  toString(run.finished_at) AS finishedAt, run.total_tests AS total, run.passed_tests AS passed,
  run.failed_tests AS failed, run.events_triggered AS events, run.results AS results
`;

export const FAILURES = `
MATCH (drill:DrillResult)
WHERE drill.success = false AND ($machine IS NULL OR drill.hostname = $machine)
WITH drill ORDER BY drill.started_at DESC
WITH drill.test AS test, count(drill) AS failures, collect(drill)[0] AS last
RETURN test, failures, toString(last.started_at) AS lastFailedAt, coalesce(last.error, last.summary) AS lastReason
ORDER BY failures DESC, test
`;

export const COMPARE = `
MATCH (machine:TestMachine)-[:HAD_TEST_RUN]->(run:TestRun)
WITH machine.hostname AS machine, run
ORDER BY run.timestamp DESC
WITH machine, count(run) AS runs,
  avg(CASE WHEN run.total_tests > 0 THEN toFloat(run.passed_tests) / run.total_tests END) AS rate,
  sum(run.events_triggered) AS events, collect(run.timestamp)[0] AS last
RETURN machine, runs, rate, events, toString(last) AS lastRunAt
ORDER BY machine
`;

export const STATS = `
MATCH (machine:TestMachine)-[:HAD_TEST_RUN]->(run:TestRun)
WHERE $machine IS NULL OR machine.hostname = $machine
RETURN count(run) AS runs,
  avg(CASE WHEN run.total_tests > 0 THEN toFloat(run.passed_tests) / run.total_tests END) AS rate,
  coalesce(sum(run.events_triggered), 0) AS events
`;

export const RUN_SPAN = `
MATCH (machine:TestMachine)-[:HAD_TEST_RUN]->(run:TestRun)
WHERE $machine IS NULL OR machine.hostname = $machine
RETURN min(run.timestamp.epochMillis) AS first, max(run.timestamp.epochMillis) AS last
`;

/** $first (epoch ms of the first run), $width (slice width in ms). */
export const PASS_RATE_TREND = `
MATCH (machine:TestMachine)-[:HAD_TEST_RUN]->(run:TestRun)
WHERE $machine IS NULL OR machine.hostname = $machine
WITH toInteger(floor((run.timestamp.epochMillis - $first) / $width)) AS slice, run
RETURN slice, count(run) AS runs,
  sum(CASE WHEN run.total_tests > 0 THEN toFloat(run.passed_tests) / run.total_tests ELSE 0.0 END) AS rateSum,
  count(CASE WHEN run.total_tests > 0 THEN 1 END) AS rated
ORDER BY slice
`;

export const MACHINES = `
MATCH (machine:TestMachine)
WHERE (machine)-[:HAD_TEST_RUN]->() OR (machine)-[:RAN_SIMULATION]->() OR (machine)-[:HAD_SESSION]->()
RETURN machine.hostname AS machine
ORDER BY machine
`;

export const LIST_INCIDENTS = `
MATCH (incident:IncidentSimulation)
WHERE $machine IS NULL OR incident.hostname = $machine
RETURN incident.id AS id, incident.hostname AS machine, incident.scenario_id AS scenarioId,
  incident.source AS source, incident.severity AS severity, toString(incident.started_at) AS startedAt,
  toString(incident.finished_at) AS finishedAt, incident.status AS status,
  incident.top_description AS topDescription, incident.top_category AS topCategory,
  incident.top_confidence AS topConfidence, incident.hypotheses AS hypotheses, incident.actions AS actions
ORDER BY incident.started_at DESC, incident.id DESC
SKIP $offset LIMIT $limit
`;

export const COUNT_INCIDENTS = `
MATCH (incident:IncidentSimulation)
WHERE $machine IS NULL OR incident.hostname = $machine
RETURN count(incident) AS incidents
`;

/**
 * $machine (null for every machine), $limit: the drill results with a monitoring verification from
 * the $limit newest runs that have one, newest run first, drills in the order they ran.
 */
export const DETECTION_HISTORY = `
MATCH (machine:TestMachine)-[:HAD_TEST_RUN]->(run:TestRun)
WHERE ($machine IS NULL OR machine.hostname = $machine)
  AND EXISTS { MATCH (run)-[:HAS_RESULT]->(checked:DrillResult) WHERE checked.detection IS NOT NULL }
WITH run
ORDER BY run.timestamp DESC, run.id DESC
LIMIT $limit
MATCH (run)-[:HAS_RESULT]->(drill:DrillResult)
WHERE drill.detection IS NOT NULL
RETURN run.id AS runId, run.hostname AS machine, toString(run.timestamp) AS runStartedAt,
  drill.test AS drill, toString(drill.started_at) AS startedAt, drill.detection AS detection
ORDER BY run.timestamp DESC, run.id DESC, drill.position
`;

/**
 * $session: the Session's properties, figures and detail as JSON strings. SET rather than ON CREATE
 * SET: saving a session again (a mode that updates its record) replaces it, as SQLite's does.
 */
export const SAVE_SESSION = `
MERGE (machine:TestMachine {hostname: $session.hostname})
MERGE (session:Session {id: $session.id})
SET
  session.kind = $session.kind,
  session.hostname = $session.hostname,
  session.subject = $session.subject,
  session.title = $session.title,
  session.started_at = datetime($session.started_at),
  session.finished_at = datetime($session.finished_at),
  session.status = $session.status,
  session.verdict = $session.verdict,
  session.summary = $session.summary,
  session.figures = $session.figures,
  session.detail = $session.detail
MERGE (machine)-[:HAD_SESSION]->(session)
`;

/** $machine and $kind (null for any), $offset, $limit: newest first, without the detail. */
export const LIST_SESSIONS = `
MATCH (machine:TestMachine)-[:HAD_SESSION]->(session:Session)
WHERE ($machine IS NULL OR machine.hostname = $machine) AND ($kind IS NULL OR session.kind = $kind)
RETURN session.id AS id, session.kind AS kind, session.hostname AS machine, session.subject AS subject,
  session.title AS title, toString(session.started_at) AS startedAt, toString(session.finished_at) AS finishedAt,
  session.status AS status, session.verdict AS verdict, session.summary AS summary, session.figures AS figures
ORDER BY session.started_at DESC, session.id DESC
SKIP $offset LIMIT $limit
`;

/** $machine and $kind (null for any). */
export const COUNT_SESSIONS = `
MATCH (machine:TestMachine)-[:HAD_SESSION]->(session:Session)
WHERE ($machine IS NULL OR machine.hostname = $machine) AND ($kind IS NULL OR session.kind = $kind)
RETURN count(session) AS sessions
`;

/** $id: the session with its detail. */
export const GET_SESSION = `
MATCH (session:Session {id: $id})
RETURN session.id AS id, session.kind AS kind, session.hostname AS machine, session.subject AS subject,
  session.title AS title, toString(session.started_at) AS startedAt, toString(session.finished_at) AS finishedAt,
  session.status AS status, session.verdict AS verdict, session.summary AS summary, session.figures AS figures,
  session.detail AS detail
`;

/** Every statement with its name, for the lint test. */
export const ALL_CYPHER: ReadonlyArray<{ name: string; query: string }> = [
  ...SCHEMA_STATEMENTS.map((query, index) => ({ name: `SCHEMA_STATEMENTS[${index}]`, query })),
  { name: 'SAVE_RUN', query: SAVE_RUN },
  { name: 'SAVE_DRILL_RESULTS', query: SAVE_DRILL_RESULTS },
  { name: 'SAVE_EVENTS', query: SAVE_EVENTS },
  { name: 'SAVE_INCIDENT', query: SAVE_INCIDENT },
  { name: 'LIST_RUNS', query: LIST_RUNS },
  { name: 'COUNT_RUNS', query: COUNT_RUNS },
  { name: 'GET_RUN', query: GET_RUN },
  { name: 'FAILURES', query: FAILURES },
  { name: 'COMPARE', query: COMPARE },
  { name: 'STATS', query: STATS },
  { name: 'RUN_SPAN', query: RUN_SPAN },
  { name: 'PASS_RATE_TREND', query: PASS_RATE_TREND },
  { name: 'MACHINES', query: MACHINES },
  { name: 'LIST_INCIDENTS', query: LIST_INCIDENTS },
  { name: 'COUNT_INCIDENTS', query: COUNT_INCIDENTS },
  { name: 'DETECTION_HISTORY', query: DETECTION_HISTORY },
  { name: 'SAVE_SESSION', query: SAVE_SESSION },
  { name: 'LIST_SESSIONS', query: LIST_SESSIONS },
  { name: 'COUNT_SESSIONS', query: COUNT_SESSIONS },
  { name: 'GET_SESSION', query: GET_SESSION },
];

import type { DrillName } from '../../drills/types.js';
import type { Experiment } from '../../experiments/schema.js';
import type { Scenario } from '../../incidents/types.js';
import type { Narrative } from '../../narratives/schema.js';
import type { WorkloadProfile } from '../../workloads/types.js';

/** Where the console is: one of these at a time; the root renders the matching screen. */
export type Screen =
  | { name: 'home' }
  | { name: 'drills' }
  | { name: 'confirm'; drills: DrillName[]; warnings: { drill: string; warning: string }[] }
  | { name: 'run'; drills: DrillName[]; key: number }
  | { name: 'scenarios'; lastScenarioId?: string }
  | { name: 'incident'; scenario: Scenario; key: number }
  | { name: 'history' }
  | { name: 'experiments' }
  | { name: 'experiment-checklist'; choice: { kind: 'experiment'; experiment: Experiment } | { kind: 'gameday'; experiments: Experiment[] }; problems: string[] }
  | { name: 'experiment'; choice: { kind: 'experiment'; experiment: Experiment } | { kind: 'gameday'; experiments: Experiment[] }; key: number }
  | { name: 'training'; lastExerciseId?: string }
  | { name: 'exercise'; exerciseId: string; key: number }
  | { name: 'narratives'; lastNarrativeId?: string }
  | { name: 'presenter'; narrative: Narrative; rehearse: boolean; pace: number; auto: boolean; key: number }
  | { name: 'workloads' }
  | { name: 'workload'; profile: WorkloadProfile; key: number }
  | { name: 'quitting' };

import { Box, Text, useApp } from 'ink';
import { useCallback, useEffect, useState } from 'react';
import type { DrillName } from '../drills/types.js';
import type { Scenario } from '../incidents/types.js';
import { ConfirmScreen } from './screens/ConfirmScreen.js';
import { ExperimentsFlow } from './screens/ExperimentsFlow.js';
import { DrillPickerScreen } from './screens/DrillPickerScreen.js';
import { HistoryLoaderScreen } from './screens/HistoryLoaderScreen.js';
import { HomeScreen, type HomeChoice } from './screens/HomeScreen.js';
import { IncidentScreen } from './screens/IncidentScreen.js';
import { RunScreen } from './screens/RunScreen.js';
import { NarrativePickerScreen } from './demo/NarrativePickerScreen.js';
import { PresenterScreen } from './demo/PresenterScreen.js';
import { ScenarioPickerScreen } from './screens/ScenarioPickerScreen.js';
import { ExerciseScreen } from './screens/ExerciseScreen.js';
import { TrainingScreen } from './screens/TrainingScreen.js';
import { WorkloadPickerScreen } from './screens/WorkloadPickerScreen.js';
import { WorkloadScreen } from './screens/WorkloadScreen.js';
import { KeyRouter } from './keys/KeyRouter.js';
import type { ConsoleServices } from './services.js';
import type { Screen } from './state/navigation.js';

/**
 * The console's root: owns navigation, the keys (one KeyRouter: every key of a burst reaches the
 * screen it was meant for) and the single way out. Ctrl-C is handled here, once, from any screen,
 * ahead of any keys still queued: leaving unmounts the screen, which aborts its work; the caller
 * of render() then waits for the cleanup before the process exits.
 */
export function App({ services, initialScreen = { name: 'home' } }: { services: ConsoleServices; initialScreen?: Screen }) {
  const { exit } = useApp();
  const [screen, setScreen] = useState<Screen>(initialScreen);
  const quit = useCallback(() => setScreen({ name: 'quitting' }), []);
  // Exits once the quitting frame has been committed and the screens it replaced have unmounted
  // (aborting their work). A timer set in quit() itself could fire before React rendered the
  // update, and the console then left without saying so.
  const quitting = screen.name === 'quitting';
  useEffect(() => {
    if (!quitting) return;
    const timer = setTimeout(() => exit(), 0);
    return () => clearTimeout(timer);
  }, [quitting, exit]);

  return (
    <KeyRouter onInterrupt={quit}>
      <CurrentScreen services={services} screen={screen} setScreen={setScreen} quit={quit} />
    </KeyRouter>
  );
}

function CurrentScreen({ services, screen, setScreen, quit }: { services: ConsoleServices; screen: Screen; setScreen(screen: Screen): void; quit(): void }) {
  const home = useCallback(() => setScreen({ name: 'home' }), [setScreen]);
  const backToDrills = useCallback(() => setScreen({ name: 'drills' }), [setScreen]);
  const scenarioList = useScenarios(services, screen.name === 'scenarios');

  const startRun = (drills: DrillName[]) => setScreen({ name: 'run', drills, key: Date.now() });

  const pickDrills = (drills: DrillName[]) => {
    const warnings = services.drills
      .filter((drill) => drills.includes(drill.name) && drill.riskWarning !== null)
      .map((drill) => ({ drill: drill.name, warning: drill.riskWarning ?? '' }));
    if (warnings.length > 0) setScreen({ name: 'confirm', drills, warnings });
    else startRun(drills);
  };

  const choose = (choice: HomeChoice) => (choice.name === 'quit' ? quit() : setScreen(choice));

  switch (screen.name) {
    case 'home':
      return <HomeScreen machine={services.machine} onChoose={choose} />;
    case 'drills':
      return <DrillPickerScreen drills={services.drills} onPick={pickDrills} onBack={home} />;
    case 'confirm':
      return <ConfirmScreen warnings={screen.warnings} onConfirm={() => startRun(screen.drills)} onBack={backToDrills} />;
    case 'run':
      return <RunScreen key={screen.key} services={services} drills={screen.drills} onBack={backToDrills} />;
    case 'scenarios':
      return (
        <ScenarioPickerScreen
          scenarios={scenarioList?.scenarios ?? []}
          loadErrors={scenarioList?.errors}
          onPick={(scenario: Scenario) => setScreen({ name: 'incident', scenario, key: Date.now() })}
          initialScenarioId={screen.lastScenarioId}
          onBack={home}
        />
      );
    case 'incident':
      return (
        <IncidentScreen
          key={screen.key}
          scenario={screen.scenario}
          events={(signal: AbortSignal) => services.incidentEvents(screen.scenario, signal)}
          samples={services.samples}
          onBack={() => setScreen({ name: 'scenarios', lastScenarioId: screen.scenario.id })}
        />
      );
    case 'history':
      return <HistoryLoaderScreen services={services} onBack={home} />;
    case 'experiments':
    case 'experiment-checklist':
    case 'experiment':
      return <ExperimentsFlow services={services} screen={screen} setScreen={setScreen} onHome={home} />;
    case 'training':
      return (
        <TrainingScreen
          services={services}
          initialExerciseId={screen.lastExerciseId}
          onOpen={(exerciseId) => setScreen({ name: 'exercise', exerciseId, key: Date.now() })}
          onBack={home}
        />
      );
    case 'exercise':
      return (
        <ExerciseScreen
          key={screen.key}
          services={services}
          exerciseId={screen.exerciseId}
          onRetry={() => setScreen({ name: 'exercise', exerciseId: screen.exerciseId, key: Date.now() })}
          onBack={() => setScreen({ name: 'training', lastExerciseId: screen.exerciseId })}
        />
      );
    case 'narratives':
      return (
        <NarrativePickerScreen
          services={services}
          initialNarrativeId={screen.lastNarrativeId}
          onPick={(narrative, rehearse) => setScreen({ name: 'presenter', narrative, rehearse, pace: 1, auto: false, key: Date.now() })}
          onBack={home}
        />
      );
    case 'presenter':
      return (
        <PresenterScreen
          key={screen.key}
          services={services}
          narrative={screen.narrative}
          rehearse={screen.rehearse}
          pace={screen.pace}
          auto={screen.auto}
          onBack={() => setScreen({ name: 'narratives', lastNarrativeId: screen.narrative.id })}
        />
      );
    case 'workloads':
      return <WorkloadPickerScreen workloads={services.workloads} onPick={(profile) => setScreen({ name: 'workload', profile, key: Date.now() })} onBack={home} />;
    case 'workload':
      return services.workloads ? (
        <WorkloadScreen key={screen.key} workloads={services.workloads} profile={screen.profile} samples={services.samples} onBack={() => setScreen({ name: 'workloads' })} />
      ) : null;
    case 'quitting':
      return (
        <Box>
          <Text color="yellow">Quitting: ending everything firedrill started and removing its files...</Text>
        </Box>
      );
    default: {
      const unknown: never = screen;
      return unknown;
    }
  }
}

/** The scenarios, once `wanted`: loaded in the background, kept by the services. */
function useScenarios(services: ConsoleServices, wanted: boolean) {
  const [loaded, setLoaded] = useState<Awaited<ReturnType<ConsoleServices['loadScenarios']>>>();
  useEffect(() => {
    if (!wanted || loaded) return;
    let current = true;
    services.loadScenarios().then(
      (result) => current && setLoaded(result),
      (error: unknown) => current && setLoaded({ scenarios: [], errors: [{ file: 'scenarios/', message: (error as Error).message }] }),
    );
    return () => {
      current = false;
    };
  }, [services, wanted, loaded]);
  return loaded;
}

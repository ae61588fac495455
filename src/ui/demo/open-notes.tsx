/** Opens the speaker notes on this terminal (`firedrill demo ID --notes`); resolves once closed. */
import { render } from 'ink';
import { NotesFollower } from '../../narratives/notes.js';
import { KeyRouter } from '../keys/KeyRouter.js';
import { untilExit } from '../until-exit.js';
import { NotesScreen } from './NotesScreen.js';

export async function openNotes({ socketPath, narrativeId, signal }: { socketPath: string; narrativeId: string | null; signal: AbortSignal }): Promise<number> {
  const follower = new NotesFollower(socketPath);
  const app = render(
    <KeyRouter onInterrupt={() => app.unmount()}>
      <NotesScreen follower={follower} narrativeId={narrativeId} onQuit={() => app.unmount()} />
    </KeyRouter>,
    { exitOnCtrlC: false, maxFps: 20 },
  );
  const onAbort = () => app.unmount();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    await untilExit(app);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  return 0;
}

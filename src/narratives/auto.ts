import type { NarrativeController, NarrativeEvent } from './engine.js';
import type { Narrative } from './schema.js';

/**
 * Advances a narrative by itself: when a scene's `until` came or is not coming, after a scene's
 * planned time when it waits for nothing, and through each reveal. Returns a function that reads
 * every event (call it on each).
 */
export function autoAdvance(controller: NarrativeController, narrative: Narrative, pace: number): (event: NarrativeEvent) => void {
  let timer: NodeJS.Timeout | undefined;
  let scene = -1;
  const advance = (from: number) => {
    if (from === scene) void controller.next();
  };
  return (event) => {
    switch (event.type) {
      case 'scene-started': {
        scene = event.scene.index;
        if (timer) clearTimeout(timer);
        const until = narrative.scenes[scene]!.until;
        if (!until) {
          const index = scene;
          timer = setTimeout(() => advance(index), event.scene.plannedSeconds * 1000 * pace);
        }
        break;
      }
      case 'satisfied':
      case 'not-coming':
      case 'reveal':
        advance(event.type === 'reveal' ? scene : event.index);
        break;
      case 'narrative-finished':
        if (timer) clearTimeout(timer);
        break;
      default:
        break;
    }
  };
}

// The cluster map of a replayed solution: the states the course CI recorded beside the cast
// (server/labs/recorder.ts, `<exercise>.map.json`, times on the cast's own clock) drawn by the
// same view as the live map, following the player's current time. A replay without map states
// plays as before, with no map.
import * as z from 'zod/mini';
import { clusterMapState, type ClusterMapState } from '../../shared/cluster-map';
import { ClusterMapView } from './view';

export const mapRecording = z.object({
  version: z.literal(1),
  states: z.array(z.tuple([z.number(), clusterMapState])),
});
export type MapRecording = z.infer<typeof mapRecording>;

/** Parses a recording; null when it is not one (an older or foreign file: no map shown). */
export function parseMapRecording(value: unknown): MapRecording | null {
  const parsed = mapRecording.safeParse(value);
  return parsed.success && parsed.data.states.length ? parsed.data : null;
}

/** The state shown at `time` (seconds on the cast's clock): the last one recorded before it. */
export function stateAt(recording: MapRecording, time: number): ClusterMapState {
  let found = recording.states[0]![1];
  for (const [t, state] of recording.states) {
    if (t > time) break;
    found = state;
  }
  return found;
}

/** Something that says where it is in the cast (asciinema-player's Player fits). */
export interface Clocked {
  getCurrentTime(): Promise<number> | number;
}

export class ReplayMap {
  readonly view = new ClusterMapView({ title: 'Carte du cluster (enregistrée)', announce: false });
  private timer: ReturnType<typeof setInterval> | null = null;
  private shown: ClusterMapState | null = null;

  constructor(private readonly recording: MapRecording) {
    this.show(recording.states.at(-1)![1]);
  }

  get element(): HTMLElement {
    return this.view.element;
  }

  /** Follows `player` (every 100 ms) until `stop()`. */
  follow(player: Clocked): void {
    this.stop();
    this.timer = setInterval(() => {
      void Promise.resolve(player.getCurrentTime()).then((t) => this.seek(t), () => undefined);
    }, 100);
  }

  /** Shows the state at `time` seconds. */
  seek(time: number): void {
    this.show(stateAt(this.recording, time));
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private show(state: ClusterMapState): void {
    if (state === this.shown) return;
    this.shown = state;
    this.view.render(state);
  }
}

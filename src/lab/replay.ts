// « Rejouer la solution »: the self-paced lab slide replays the reference solution of the
// current exercise, recorded by the course CI in real terminals on a real swarm
// (server/labs/recorder.ts → slides/recordings/<lab>/<exercise>.cast → dist/recordings/).
// The build's recordings/index.json says which recordings exist: a missing one is said calmly,
// never fetched (a 404 would be a console error). The player loads lazily (./player).
import type { Player } from './player';
import { T } from './text';

interface RecordingEntry {
  file: string;
  recordedAt?: string;
  generatedBy?: string;
}

let indexOnce: Promise<Record<string, RecordingEntry> | null> | undefined;

/** The recordings this site ships, or null when it cannot tell (file://, no index). */
function recordingsIndex(): Promise<Record<string, RecordingEntry> | null> {
  indexOnce ??= (async () => {
    if (location.protocol !== 'http:' && location.protocol !== 'https:') return null;
    try {
      const res = await fetch(new URL('recordings/index.json', document.baseURI), { headers: { Accept: 'application/json' } });
      if (!res.ok) return null;
      const data = (await res.json()) as { recordings?: Record<string, RecordingEntry> };
      return data?.recordings && typeof data.recordings === 'object' ? data.recordings : null;
    } catch {
      return null;
    }
  })();
  return indexOnce;
}

let playerModule: Promise<typeof import('./player')> | undefined;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function frenchDate(iso: string | undefined): string {
  const d = iso ? new Date(iso) : null;
  return d && !Number.isNaN(d.getTime()) ? d.toLocaleDateString('fr-FR', { day: 'numeric', month: 'long', year: 'numeric' }) : '';
}

export class ReplayView {
  /** The player of the current exercise (tests and the console). */
  player: Player | null = null;
  /** 'loading' | 'ready' | 'missing' | 'unavailable' | 'failed' (tests). */
  state = 'loading';
  private readonly head: HTMLElement;
  private readonly playButton: HTMLButtonElement;
  private readonly stage: HTMLElement;
  private readonly caption: HTMLElement;
  private exercise = '';
  private generation = 0;
  private disposed = false;

  constructor(private readonly slot: HTMLElement, private readonly lab: string) {
    this.head = el('div', 'lab-replay-head');
    this.playButton = el('button', 'lab-replay-play', `▶ ${T.replayTitle}`);
    this.playButton.type = 'button';
    this.playButton.disabled = true;
    this.playButton.addEventListener('click', () => void this.replay());
    this.head.append(this.playButton);
    this.stage = el('div', 'lab-replay-player');
    this.caption = el('p', 'lab-replay-caption', T.replayLoading);
    this.caption.setAttribute('role', 'status');
    slot.append(this.head, this.stage, this.caption);
  }

  /** Shows the recording of `exercise` (called by the stepper). */
  async show(exercise: string): Promise<void> {
    if (exercise === this.exercise || this.disposed) return;
    this.exercise = exercise;
    const generation = ++this.generation;
    this.player?.dispose();
    this.player = null;
    this.stage.replaceChildren();
    this.playButton.disabled = true;
    this.setState('loading', T.replayLoading);

    const index = await recordingsIndex();
    if (generation !== this.generation) return;
    if (!index) return this.setState('unavailable', T.replayUnavailable);
    const entry = index[`${this.lab}/${exercise}`];
    if (!entry) return this.setState('missing', T.replayMissing);

    let mod: typeof import('./player');
    try {
      mod = await (playerModule ??= import('./player'));
    } catch {
      playerModule = undefined;
      return this.setState('failed', T.replayFailed);
    }
    if (generation !== this.generation) return;
    const mount = el('div', 'lab-replay-mount');
    this.stage.replaceChildren(mount);
    this.player = mod.create({ url: new URL(entry.file, document.baseURI).href }, mount, {
      fit: 'width',
      preload: true,
      autoPlay: false,
      idleTimeLimit: 1.5,
      controls: true,
      terminalFontFamily: "'DejaVu Sans Mono', 'Liberation Mono', Menlo, Consolas, monospace",
    });
    this.playButton.disabled = false;
    const date = frenchDate(entry.recordedAt);
    this.setState('ready', `${T.replayOrigin}${date ? T.replayDate(date) : ''}.`);
  }

  /** From the start. */
  async replay(): Promise<void> {
    const p = this.player;
    if (!p) return;
    await p.seek(0);
    await p.play();
  }

  pause(): void {
    void this.player?.pause();
  }

  dispose(): void {
    this.disposed = true;
    this.generation++;
    this.player?.dispose();
    this.player = null;
  }

  private setState(state: string, text: string): void {
    this.state = state;
    this.slot.dataset.replay = state;
    this.caption.textContent = text;
    this.head.hidden = state !== 'ready';
    this.stage.hidden = state !== 'ready';
  }
}

// « Rejouer la solution »: the self-paced lab slide replays the reference solution of the
// current exercise, recorded by the course CI in real terminals on a real swarm
// (server/labs/recorder.ts → slides/recordings/<lab>/<exercise>.cast → dist/recordings/).
// The build's recordings/index.json says which recordings exist: a missing one is said calmly,
// never fetched (a 404 would be a console error). The player loads lazily (./player).
import { el } from '../shared/dom';
import { parseMapRecording, ReplayMap } from './map/replay-map';
import type { RecordingEntry } from '../deck/slide-files';
import type { Player } from './player';
import { T } from './text';

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

/**
 * The terminal size a recording really uses. The course CI records in a 100×24 terminal, but a
 * solution mostly prints short lines: replaying it at the width it uses (never narrower than
 * its longest line, so nothing wraps differently) makes the text as big as the column allows.
 */
export function usedSize(cast: string): { cols: number; rows: number; duration: number } {
  const lines = cast.trimEnd().split('\n');
  const header = JSON.parse(lines[0] ?? '{}') as { width?: number; height?: number };
  const width = header.width ?? 80;
  const height = header.height ?? 24;
  let output = '';
  let duration = 0;
  for (const line of lines.slice(1)) {
    const event = JSON.parse(line) as [number, string, string];
    if (event[1] === 'o') output += event[2];
    duration = Math.max(duration, event[0]);
  }
  const visible = output
    .replace(/\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)/g, '') // OSC (titles)
    .replace(/\x1b\[[0-?]*[ -/]*[@-~]/g, '') // CSI (colours, cursor)
    .replace(/\x1b[@-_]/g, '');
  let cols = 0;
  let rows = 0;
  for (const line of visible.split(/\r?\n/)) {
    rows++;
    for (const part of line.split('\r')) cols = Math.max(cols, [...part].length);
  }
  // 6 % of slack: browsers measure the player's `ch` unit and draw its glyphs with fonts whose
  // advances differ slightly (a line of exactly `cols` characters was clipped in Chromium).
  return { cols: Math.min(width, Math.max(48, Math.ceil((cols + 1) * 1.06))), rows: Math.min(height, Math.max(6, rows + 1)), duration };
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
  /** The player's events for the current exercise: play, playing, pause, ended (tests). */
  events: string[] = [];
  /** The cluster map played with the cast, when the recording has one (tests). */
  map: ReplayMap | null = null;
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
    this.map?.stop();
    this.map?.element.remove();
    this.map = null;
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
    let cast: string;
    let size: { cols: number; rows: number; duration: number };
    try {
      const res = await fetch(new URL(entry.file, document.baseURI));
      if (!res.ok) throw new Error(String(res.status));
      cast = await res.text();
      size = usedSize(cast);
      // The player takes the terminal size from the recording's header (its own cols/rows
      // options only apply until the recording is loaded): replay at the size really used.
      const nl = cast.indexOf('\n');
      const header = JSON.parse(cast.slice(0, nl)) as Record<string, unknown>;
      cast = JSON.stringify({ ...header, width: size.cols, height: size.rows }) + cast.slice(nl);
    } catch {
      if (generation === this.generation) this.setState('failed', T.replayFailed);
      return;
    }
    const map = entry.map ? await loadMap(entry.map) : null;
    if (generation !== this.generation) return;
    const mount = el('div', 'lab-replay-mount');
    this.stage.replaceChildren(mount);
    this.events = [];
    this.player = mod.create({ data: cast }, mount, {
      cols: size.cols,
      rows: size.rows,
      // Before it plays, the player shows where the solution ends (the result at a glance).
      poster: `npt:${size.duration}`,
      fit: 'width',
      preload: true,
      autoPlay: false,
      idleTimeLimit: 1.5,
      controls: true,
    });
    for (const name of ['play', 'playing', 'pause', 'ended'] as const) {
      this.player.addEventListener(name, () => {
        this.events.push(name);
        this.slot.classList.toggle('lab-replay-playing', name === 'play' || name === 'playing');
      });
    }
    if (map) {
      // The map under the player, in step with it.
      this.map = new ReplayMap(map);
      this.stage.after(this.map.element);
      this.map.follow(this.player);
    }
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
    this.map?.stop();
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

/** The map states of a recording, or null (absent, unreadable: the cast plays alone). */
async function loadMap(file: string): Promise<ReturnType<typeof parseMapRecording>> {
  try {
    const res = await fetch(new URL(file, document.baseURI));
    return res.ok ? parseMapRecording(await res.json()) : null;
  } catch {
    return null;
  }
}

// The live lab slide's link to the server's live channel (src/lab/live-channel.ts): while the
// slide is shown and its cluster ready, the page asks for its cluster's map (`cluster-map`)
// and says which exercise it shows (`lab-check`); the map under the terminal follows every
// state pushed, and the conditions of the exercise tick by themselves with the automatic
// checks' results. Leaving the slide, or another exercise, says so to the server at once.
import type { RevealApi } from 'reveal.js';
import { autoCheckTopic, type AutoCheckResult } from '../../shared/auto-check';
import { clusterMapTopic } from '../../shared/cluster-map';
import { liveChannel } from '../live-channel';
import { ClusterMapView } from '../map/view';
import type { CheckPanel } from './check';
import type { Controller } from './controller';
import type { Stepper } from './stepper';
import type { LabView } from './view';

export class LiveMap implements Controller {
  readonly map = new ClusterMapView();
  private readonly offs: (() => void)[] = [];
  private ready = false;
  private shown: string | null = null;

  constructor(
    private readonly view: LabView,
    private readonly stepper: Stepper,
    private readonly check: CheckPanel,
    private readonly reveal: RevealApi,
  ) {}

  private readonly onSlideChanged = (): void => this.announce();

  bind(): void {
    const channel = liveChannel();
    this.offs.push(
      channel.subscribe(clusterMapTopic, ({ state }) => {
        if (this.shown) this.map.render(state);
      }),
      channel.subscribe(autoCheckTopic, (result) => this.onResult(result)),
      // After a network cut or a server restart: say again what this page shows.
      channel.onOpen(() => {
        this.shown = null;
        this.announce();
      }),
    );
    this.stepper.onChange(() => this.announce());
    this.reveal.on('slidechanged', this.onSlideChanged);
  }

  unbind(): void {
    this.reveal.off('slidechanged', this.onSlideChanged);
    for (const off of this.offs.splice(0)) off();
    this.ready = false;
    this.announce();
  }

  /** The cluster holds the lab now (after start or reset): watch it. */
  setReady(ready: boolean): void {
    this.ready = ready;
    // Forget what was said: a reset must re-evaluate the exercise from scratch.
    this.shown = null;
    this.announce();
  }

  private announce(): void {
    const visible = this.ready && this.reveal.getCurrentSlide() === this.view.section;
    const key = visible ? `${this.view.lab}/${this.stepper.currentId}` : null;
    if (key === this.shown) return;
    const channel = liveChannel();
    const watching = this.shown !== null;
    const ok =
      (visible === watching || channel.send(clusterMapTopic, { watch: visible })) &&
      channel.send(autoCheckTopic, visible ? { lab: this.view.lab, exercise: this.stepper.currentId } : { lab: null });
    // Not sent (channel closed): onOpen will say it.
    if (ok || !visible) this.shown = key;
  }

  private onResult(result: AutoCheckResult): void {
    if (result.lab !== this.view.lab) return;
    const index = this.view.exercises.findIndex((x) => x.id === result.exercise);
    if (index < 0) return;
    this.check.showAuto(index, result);
    if (result.passed) this.stepper.setPassed(index, true);
  }
}

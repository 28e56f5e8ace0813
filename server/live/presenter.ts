// Follow mode, server side: the instructor's deck publishes its position on the presenter topic
// (src/shared/presenter-topic.ts, instructor-only upward); this keeps the last one in memory and
// sends it to every page, and at once to a page that connects (a learner's reload lands on the
// presenter's slide). The instructor turns follow mode off or on for the whole room, from the
// deck or through the API (`setEnabled`). Instructors' pages also learn how many learners'
// pages are open, for the deck's control. With a record (a file of the data folder), the
// position and the switch survive a server restart: learners who reconnect land on the slide.
import { deckPosition, PRESENTER_TOPIC, samePosition, type DeckPosition, type PresenterState } from '../../src/shared/presenter-topic';
import type { JsonRecord } from '../json-record';
import type { LiveClient, LiveHub } from './hub';

export class Presenter {
  private position: DeckPosition | null = null;
  private enabled = true;

  constructor(
    private readonly hub: LiveHub,
    private readonly record?: JsonRecord,
  ) {
    this.position = savedPosition(record?.get('position'));
    this.enabled = record?.get('enabled') !== 'false';
    hub.on(
      PRESENTER_TOPIC,
      (_client, update) => {
        if ('position' in update) this.move(update.position);
        else this.setEnabled(update.enabled);
      },
      { instructorOnly: true },
    );
    hub.onConnect((client) => {
      client.send(PRESENTER_TOPIC, this.stateFor(client));
      if (client.learner.role !== 'instructor') this.tellInstructors();
    });
    hub.onDisconnect((client) => {
      if (client.learner.role !== 'instructor') this.tellInstructors();
    });
  }

  get state(): PresenterState {
    return { position: this.position, enabled: this.enabled };
  }

  /** The presenter moved: every page hears it (learners' decks follow when the room does). */
  move(position: DeckPosition): void {
    if (samePosition(this.position, position)) return;
    this.position = position;
    this.record?.set('position', JSON.stringify(position));
    this.broadcast();
  }

  /** Follow mode on or off for the room; turning it on brings every learner back to the presenter. */
  setEnabled(enabled: boolean): PresenterState {
    if (enabled !== this.enabled) {
      this.enabled = enabled;
      this.record?.set('enabled', String(enabled));
      this.broadcast();
    }
    return this.state;
  }

  private learnerPages(): number {
    return this.hub.pages((c) => c.learner.role !== 'instructor').length;
  }

  private stateFor(client: LiveClient): PresenterState {
    return client.learner.role === 'instructor' ? { ...this.state, learnerPages: this.learnerPages() } : this.state;
  }

  private broadcast(): void {
    for (const client of this.hub.pages()) client.send(PRESENTER_TOPIC, this.stateFor(client));
  }

  private tellInstructors(): void {
    const learnerPages = this.learnerPages();
    this.hub.broadcast(PRESENTER_TOPIC, { ...this.state, learnerPages }, (c) => c.learner.role === 'instructor');
  }
}

/** A position kept by an earlier run, or null when there is none (or it does not parse). */
function savedPosition(text: string | undefined): DeckPosition | null {
  if (!text) return null;
  try {
    const parsed = deckPosition.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

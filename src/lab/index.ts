// The lab UI of a `<section data-lab>` slide, lazily loaded by src/deck/lab-hook.ts.
//
// With a lab server and a backend: the live lab (terminals on the learner's real cluster,
// « Vérifier » streaming the checker's verdict, hints, solution, reset, power actions).
// Without a server (static site) or without a backend: a self-paced mode that still teaches
// (instructions, commands to copy, what the checker verifies, hints, solution, a notice, the
// recorded solution replayed, and a form to use the learner's own lab server, src/lab/remote.ts).
import type { RevealApi } from 'reveal.js';
import { probeServer } from './api';
import { rememberedServer } from './remote';
import { LabSlide, type LabMode } from './lab-slide';
import { installRoomClient } from './room-client';
import { LAB_SELECTOR } from '../shared/lab-contract';
import './lab.css';

declare global {
  interface Window {
    /** Mounted lab slides (tests and the browser console). */
    __labSlides?: LabSlide[];
  }
}

export async function mountLabSlide(section: HTMLElement, reveal: RevealApi): Promise<(() => void) | void> {
  if (!section.querySelector(LAB_SELECTOR.root)) return;
  const probe = await probeServer(rememberedServer());
  const mode: LabMode =
    probe.kind === 'live'
      ? { kind: 'live' }
      : probe.kind === 'no-backend'
        ? { kind: 'no-backend', reason: probe.reason }
        : { kind: 'no-server', remoteError: probe.remoteError };
  if (probe.kind === 'live') installRoomClient(reveal);
  const slide = new LabSlide(section, reveal, mode);
  (window.__labSlides ??= []).push(slide);
  slide.bind();
  return () => {
    slide.unbind();
    window.__labSlides = window.__labSlides?.filter((s) => s !== slide);
  };
}

// Keeps the terminal overlay over its slot in the slide. reveal.js scales slides with a CSS
// transform, and xterm.js mouse selection drifts under a transformed ancestor (xterm.js #3242,
// #6023), so the terminal lives outside the slides, position: fixed, moved every frame the slot's
// on-screen rectangle changes, with a font scaled like the slide.

export interface OverlayEvents {
  /** Every frame the slot is on screen. */
  shown(): void;
  /** The font size in screen pixels changed (the slide scale). */
  font(size: number): void;
  /** The overlay's size changed: refit the terminal. */
  resized(): void;
}

export class OverlayFollower {
  private raf = 0;
  private stopped = false;
  private last = { visible: false, left: NaN, top: NaN, width: NaN, height: NaN, font: NaN };

  constructor(
    private readonly slot: HTMLElement,
    private readonly overlay: HTMLElement,
    private readonly baseFont: number,
    private readonly on: OverlayEvents,
  ) {
    this.raf = requestAnimationFrame(this.frame);
  }

  get visible(): boolean {
    return this.last.visible;
  }

  /** The font in screen pixels, once known (else the slide's). */
  get font(): number {
    return this.last.font || this.baseFont;
  }

  /** Refit on the next frame (another tab is shown). */
  invalidate(): void {
    this.last.width = NaN;
  }

  stop(): void {
    this.stopped = true;
    cancelAnimationFrame(this.raf);
  }

  private readonly frame = () => {
    if (this.stopped) return;
    this.raf = requestAnimationFrame(this.frame);
    const l = this.last;
    if (!isShown(this.slot)) {
      if (l.visible) {
        l.visible = false;
        this.overlay.hidden = true;
        if (this.overlay.contains(document.activeElement)) (document.activeElement as HTMLElement).blur();
      }
      return;
    }
    const r = this.slot.getBoundingClientRect();
    const scale = this.slot.offsetWidth > 0 ? r.width / this.slot.offsetWidth : 1;
    const font = Math.round(this.baseFont * scale * 4) / 4;
    if (!l.visible) {
      l.visible = true;
      this.overlay.hidden = false;
    }
    if (r.left !== l.left || r.top !== l.top) {
      this.overlay.style.left = `${r.left}px`;
      this.overlay.style.top = `${r.top}px`;
      l.left = r.left;
      l.top = r.top;
    }
    this.on.shown();
    if (r.width !== l.width || r.height !== l.height || font !== l.font) {
      this.overlay.style.width = `${r.width}px`;
      this.overlay.style.height = `${r.height}px`;
      this.overlay.style.setProperty('--lab-term-scale', String(scale));
      l.width = r.width;
      l.height = r.height;
      if (font !== l.font) {
        l.font = font;
        this.on.font(font);
      }
      this.on.resized();
    }
  };
}

/** Is the slot on screen: laid out, in the current slide, not in reveal's overview? */
function isShown(slot: HTMLElement): boolean {
  if (!slot.isConnected || slot.offsetWidth === 0 || slot.offsetHeight === 0) return false;
  if (slot.closest('section:not(.present)')) return false;
  if (slot.closest('.reveal.overview')) return false;
  return getComputedStyle(slot).visibility !== 'hidden';
}

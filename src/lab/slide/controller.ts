// The shape of every lab slide controller, after reveal.js's own controllers: a controller
// builds its DOM when constructed, `bind()` attaches its listeners (reveal events, timers,
// network), `unbind()` detaches them and releases what it holds. LabSlide binds them in order
// and unbinds them in reverse.
export interface Controller {
  bind(): void;
  unbind(): void;
}

/** Collects the undo functions of what a controller attached. */
export class Listeners {
  private readonly offs: (() => void)[] = [];

  add(off: () => void): void {
    this.offs.push(off);
  }

  /** `target.addEventListener(type, fn)`, undone by `clear()`. */
  on<K extends keyof HTMLElementEventMap>(target: HTMLElement, type: K, fn: (e: HTMLElementEventMap[K]) => void): void {
    target.addEventListener(type, fn);
    this.offs.push(() => target.removeEventListener(type, fn));
  }

  clear(): void {
    for (const off of this.offs.splice(0).reverse()) off();
  }
}

/** The French text of an error, for the learner. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// The one DOM element helper of the browser code (lab UI, terminal panel, replays).

/** `<tag class="cls">text</tag>`. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

/** A `type="button"` button; `label` (when given) is both its tooltip and its accessible name. */
export function button(cls: string, text: string, label?: string): HTMLButtonElement {
  const b = el('button', cls, text);
  b.type = 'button';
  if (label) {
    b.title = label;
    b.setAttribute('aria-label', label);
  }
  return b;
}

import { parseHTML } from 'linkedom';
import { typography } from './dom.js';
import { createMarked } from './markdown.js';

/**
 * A Markdown fragment (lab instructions, hints) rendered like slide text: same Markdown
 * extensions, build-time highlighting and French typography, without `§` directives.
 */
export function renderMarkdownFragment(markdown: string, options: { inline?: boolean } = {}): string {
  const marked = createMarked({ directives: [], warn: () => undefined });
  const html = (options.inline ? marked.parseInline(markdown) : marked.parse(markdown)) as string;
  const { document } = parseHTML(`<!doctype html><html><body><div id="root">${html}</div></body></html>`);
  const root = document.getElementById('root')!;
  typography(root as unknown as Parameters<typeof typography>[0]);
  return root.innerHTML;
}

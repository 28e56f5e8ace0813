// What a learner sees in the lab terminal (xterm.js DOM renderer in the overlay), for browser tests.
import type { Page } from 'playwright-core';

const ROWS = '.lab-term-overlay:not([hidden]) .lab-term-view:not([hidden]) .xterm-rows';

/** Rows of the visible terminal, right-trimmed. */
export async function screenRows(page: Page): Promise<string[]> {
  return page.evaluate((selector) => {
    const rows = document.querySelector(selector);
    return rows ? [...rows.children].map((r) => (r.textContent ?? '').replace(/\u00a0/g, ' ').trimEnd()) : [];
  }, ROWS);
}

/** Waits until the visible terminal shows `re`; `diagnose` adds state to the failure message. */
export async function waitForScreen(
  page: Page,
  re: RegExp,
  what: string,
  timeoutMs = 30_000,
  diagnose?: () => Promise<unknown>,
): Promise<RegExpMatchArray> {
  const t0 = Date.now();
  for (;;) {
    const text = (await screenRows(page)).join('\n');
    const m = text.match(re);
    if (m) return m;
    if (Date.now() - t0 > timeoutMs) {
      const state = diagnose ? ` ${JSON.stringify(await diagnose())}` : '';
      throw new Error(`écran du terminal sans ${what} (${re}) :${state}\n${text}`);
    }
    await page.waitForTimeout(50);
  }
}

/** Screen rectangle (CSS px) of `word` on the visible terminal row whose text is exactly `line`. */
export async function wordBox(page: Page, line: string, word: string) {
  return page.evaluate(({ selector, line, word }) => {
    const rows = document.querySelector(selector)!;
    for (const row of rows.children) {
      if ((row.textContent ?? '').replace(/\u00a0/g, ' ').trimEnd() !== line) continue;
      const walker = document.createTreeWalker(row, NodeFilter.SHOW_TEXT);
      const nodes: Text[] = [];
      for (let n = walker.nextNode(); n; n = walker.nextNode()) nodes.push(n as Text);
      const at = nodes.map((n) => n.data).join('').indexOf(word);
      const locate = (i: number): [Text, number] => {
        for (const n of nodes) {
          if (i <= n.data.length) return [n, i];
          i -= n.data.length;
        }
        throw new Error('hors ligne');
      };
      const range = document.createRange();
      range.setStart(...locate(at));
      range.setEnd(...locate(at + word.length));
      const r = range.getBoundingClientRect();
      return { left: r.left, right: r.right, top: r.top, bottom: r.bottom };
    }
    throw new Error(`ligne « ${line} » absente`);
  }, { selector: ROWS, line, word });
}

/** Drags the mouse over `word` (from inside its first cell to inside its last) on that row. */
export async function dragOverWord(page: Page, line: string, word: string): Promise<void> {
  const box = await wordBox(page, line, word);
  const cell = (box.right - box.left) / word.length;
  const y = (box.top + box.bottom) / 2;
  await page.mouse.move(box.left + cell * 0.25, y);
  await page.mouse.down();
  await page.mouse.move(box.left + cell * 4, y, { steps: 4 });
  await page.mouse.move(box.right - cell * 0.25, y, { steps: 4 });
  await page.mouse.up();
}

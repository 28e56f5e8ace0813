import { describe, expect, it } from 'vitest';
import { escapeHtml } from './html';

describe('escapeHtml', () => {
  it('escapes the five characters that matter in content and in quoted attributes', () => {
    expect(escapeHtml(`<a href="x" title='y'>Tom & Jerry</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;Tom &amp; Jerry&lt;/a&gt;');
  });

  it('leaves other text alone, French typography included', () => {
    expect(escapeHtml('« Vérifier » : 8080:80\u00a0!')).toBe('« Vérifier » : 8080:80\u00a0!');
  });

  it('escapes an ampersand once, so an escaped text still reads the same', () => {
    expect(escapeHtml('&lt;')).toBe('&amp;lt;');
  });
});

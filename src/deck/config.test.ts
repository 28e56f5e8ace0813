import { describe, expect, it } from 'vitest';
import { toRevealConfig } from './config';

describe('toRevealConfig', () => {
  it('keeps false as false and converts gh-reveal style strings', () => {
    const { config, issues } = toRevealConfig({
      controls: false,
      progress: 'false',
      slideNumber: 'c/t',
      margin: '0.1',
      autoSlide: 'false',
      transition: 'convex',
    });
    expect(config).toEqual({ controls: false, progress: false, slideNumber: 'c/t', margin: 0.1, autoSlide: false, transition: 'convex' });
    expect(issues).toEqual([]);
  });

  it('drops invalid values of known options and reports them', () => {
    const { config, issues } = toRevealConfig({ transition: 'spin', controls: 'maybe', width: 1280 });
    expect(config).toEqual({ width: 1280 });
    expect(issues.map((i) => i.key)).toEqual(['transition', 'controls']);
  });

  it('lets options unknown to this list through unchanged', () => {
    const { config, issues } = toRevealConfig({ someFutureOption: { a: 1 }, defaultTiming: 120, showNotes: 'separate-page' });
    expect(config).toEqual({ someFutureOption: { a: 1 }, defaultTiming: 120, showNotes: 'separate-page' });
    expect(issues).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { StopStringFilter } from '../../src/lib/backends/llm/stop-strings';
import { applyTopP } from '../../src/lib/backends/llm/top-p';

function run(stops: string[], pieces: string[]): { shown: string; stopped: boolean } {
  const filter = new StopStringFilter(stops);
  let shown = '';
  for (const piece of pieces) shown += filter.push(piece);
  shown += filter.flush();
  return { shown, stopped: filter.stopped };
}

describe('StopStringFilter', () => {
  it('passes text through without stop strings', () => {
    expect(run([], ['a', 'b'])).toEqual({ shown: 'ab', stopped: false });
  });

  it('cuts at the first stop string, even when split across pieces', () => {
    expect(run(['\nUser:'], ['Hello', '\nUs', 'er: more'])).toEqual({
      shown: 'Hello',
      stopped: true,
    });
    expect(run(['END', 'STOP'], ['a S', 'TOP b END'])).toEqual({ shown: 'a ', stopped: true });
  });

  it('releases held-back text that turned out not to be a stop string', () => {
    const filter = new StopStringFilter(['###']);
    expect(filter.push('a #')).toBe('a ');
    expect(filter.push('#b')).toBe('##b');
    expect(filter.push('##')).toBe('');
    expect(filter.flush()).toBe('##');
  });

  it('drops everything after a stop', () => {
    const filter = new StopStringFilter(['x']);
    expect(filter.push('abxcd')).toBe('ab');
    expect(filter.push('more')).toBe('');
    expect(filter.flush()).toBe('');
  });
});

describe('applyTopP', () => {
  it('keeps the smallest set of tokens reaching top_p', () => {
    // probabilities 0.5, 0.3, 0.15, 0.05
    const row = Float32Array.from([0.5, 0.3, 0.15, 0.05].map(Math.log));
    applyTopP(row, 0.75);
    expect(Array.from(row, Number.isFinite)).toEqual([true, true, false, false]);
  });

  it('finds the nucleus when it reaches into the long tail', () => {
    // One likely token and 10,000 tiny ones: top_p 0.9 needs many tail tokens.
    const row = new Float32Array(10_001).fill(Math.log(0.5 / 10_000));
    row[0] = Math.log(0.5);
    applyTopP(row, 0.9);
    const kept = Array.from(row, Number.isFinite).filter(Boolean).length;
    // 0.5 + 8,000 x 0.00005 = 0.9, give or take float32 rounding of the logits.
    expect(Math.abs(kept - 8_001)).toBeLessThanOrEqual(1);
    expect(Number.isFinite(row[0])).toBe(true);
  });

  it('always keeps the most likely token and does nothing at top_p 1', () => {
    const row = Float32Array.from([1, 5, 2]);
    applyTopP(row, 0.01);
    expect(Array.from(row, Number.isFinite)).toEqual([false, true, false]);
    const all = Float32Array.from([1, 5, 2]);
    applyTopP(all, 1);
    expect(Array.from(all)).toEqual([1, 5, 2]);
  });
});

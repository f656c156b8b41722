/** redactSecrets: known secret values out of every string of a record, whatever its shape. */
import { describe, expect, it } from 'vitest';
import { redactSecrets } from '../../src/lib/core/run/redact-values';

describe('redactSecrets', () => {
  const key = 'sk-live-abcdef123456';

  it('replaces every occurrence in nested strings, keys included, without touching the input', () => {
    const entry = {
      at: '2026-01-01T00:00:00.000Z',
      request: {
        messages: [{ role: 'user', content: `my key is ${key}, again ${key}` }],
        temperature: 0,
        [`header-${key}`]: true,
      },
      reply: null,
      error: `Incorrect API key provided: ${key}.`,
      usage: { promptTokens: 3, completionTokens: 1 },
      tags: [key, 'plain', 7],
    };
    const before = JSON.stringify(entry);
    const out = redactSecrets(entry, [key]);
    expect(out).toEqual({
      at: '2026-01-01T00:00:00.000Z',
      request: {
        messages: [{ role: 'user', content: 'my key is [redacted], again [redacted]' }],
        temperature: 0,
        'header-[redacted]': true,
      },
      reply: null,
      error: 'Incorrect API key provided: [redacted].',
      usage: { promptTokens: 3, completionTokens: 1 },
      tags: ['[redacted]', 'plain', 7],
    });
    expect(JSON.stringify(entry)).toBe(before);
  });

  it('replaces a longer secret whole when it contains a shorter one', () => {
    expect(redactSecrets('a=abcd-efgh b=abcd', ['abcd', 'abcd-efgh'])).toBe(
      'a=[redacted] b=[redacted]',
    );
  });

  it('trims secrets and ignores empty or very short ones (they would garble the text)', () => {
    expect(redactSecrets({ t: 'abc temperature 0' }, ['', '  ', 'abc', 'e'])).toEqual({
      t: 'abc temperature 0',
    });
    expect(redactSecrets(`x ${key} y`, [`  ${key}\n`])).toBe('x [redacted] y');
  });

  it('keeps numbers, booleans, null and non-plain objects as they are', () => {
    const vector = new Float32Array([1, 2]);
    const out = redactSecrets({ n: 1, b: false, z: null, v: vector }, [key]);
    expect(out.v).toBe(vector);
    expect(out).toEqual({ n: 1, b: false, z: null, v: vector });
  });
});

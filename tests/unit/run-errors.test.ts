import { describe, expect, it } from 'vitest';
import { InputError, describeValue } from '../../src/lib/core/run/errors';
import { findJsonSyntaxError, lineColumnAt } from '../../src/lib/core/run/json-syntax';
import { parseJson } from '../../src/lib/core/run/parse-json';

function thrown(fn: () => unknown): InputError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return error as InputError;
  }
  throw new Error('expected an InputError');
}

describe('InputError', () => {
  it('names the file, the location, what was expected and what was found', () => {
    const error = new InputError({
      file: 'answers.jsonl',
      location: 'line 12',
      expected: 'a JSON object with a "prompt" field',
      got: 'an object with fields "question"',
    });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('InputError');
    expect(error.message).toBe(
      'answers.jsonl, line 12: expected a JSON object with a "prompt" field, got an object with fields "question"',
    );
    expect(error.file).toBe('answers.jsonl');
    expect(error.location).toBe('line 12');
    expect(error.expected).toBe('a JSON object with a "prompt" field');
    // Own enumerable fields are what the worker protocol sends across.
    expect(Object.keys(error).sort()).toEqual(['expected', 'file', 'got', 'location', 'name']);
  });

  it('leaves out the parts it does not have', () => {
    expect(new InputError({ file: 'a.csv', expected: 'at least one row' }).message).toBe(
      'a.csv: expected at least one row',
    );
  });

  it('describes values for people, shortening long strings', () => {
    expect(describeValue(undefined)).toBe('nothing (the field is missing)');
    expect(describeValue(null)).toBe('null');
    expect(describeValue(42)).toBe('the number 42');
    expect(describeValue(true)).toBe('the boolean true');
    expect(describeValue('  ')).toBe('an empty string "  "');
    expect(describeValue([])).toBe('an empty array');
    expect(describeValue([1, 2])).toBe('an array of 2 items');
    expect(describeValue({})).toBe('an empty object');
    expect(describeValue({ a: 1, b: 2 })).toBe('an object with fields "a", "b"');
    expect(describeValue('x'.repeat(500))).toBe(`"${'x'.repeat(60)}…"`);
    const many = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`k${i}`, i]));
    expect(describeValue(many)).toContain('… (9 in all)');
  });
});

describe('parseJson', () => {
  it('parses valid JSON and ignores a byte order mark', () => {
    expect(parseJson('\uFEFF{"a": [1, "two"]}', 'x.json')).toEqual({ a: [1, 'two'] });
  });

  it('gives line and column of a missing comma in a multi-line file', () => {
    const text = '{\n  "a": 1,\n  "b": 2\n  "c": 3\n}';
    const error = thrown(() => parseJson(text, 'run.json'));
    expect(error.location).toBe('line 4, column 3');
    expect(error.message).toBe(
      `run.json, line 4, column 3: expected valid JSON: ',' or '}' after a property value, got "\\"c\\": 3\\n}"`,
    );
  });

  it.each([
    ['[1, 2,]', 'line 1, column 7', 'a JSON value'],
    ['{"a": tru}', 'line 1, column 7', 'a JSON value'],
    ['{"a": "unterminated}', 'line 1, column 21', 'a closing quote'],
    ['{"a": 1} extra', 'line 1, column 10', 'the end of the JSON text'],
    ['{"a": "bad \\x escape"}', 'line 1, column 12', 'a valid escape'],
    ['{"a": "raw\nnewline"}', 'line 1, column 11', 'no raw control character'],
    ['{"a": 01}', 'line 1, column 8', "',' or '}'"],
    ['{"a": -}', 'line 1, column 8', 'a digit'],
    ['{"a": 1.}', 'line 1, column 9', 'a digit after the decimal point'],
    ["{'a': 1}", 'line 1, column 2', 'a property name in double quotes'],
    ['[1, 2', 'line 1, column 6', "',' or ']'"],
  ])('locates the error in %j', (text, location, expected) => {
    const error = thrown(() => parseJson(text, 'f.json'));
    expect(error.location).toBe(location);
    expect(error.expected).toContain(expected);
  });

  it('numbers lines from the line a JSONL row starts on', () => {
    const error = thrown(() => parseJson('{"a": 1,}', 'rows.jsonl', { line: 40 }));
    expect(error.location).toBe('line 40, column 9');
  });

  it('calls an empty file an empty file', () => {
    const error = thrown(() => parseJson('  \n ', 'empty.json'));
    expect(error.message).toBe('empty.json: expected JSON content, got an empty file');
  });
});

describe('findJsonSyntaxError', () => {
  // A seeded generator, so a failure is reproducible.
  function lcg(seed: number) {
    let s = seed >>> 0;
    return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  }

  it('agrees with JSON.parse on thousands of randomly damaged documents', () => {
    const random = lcg(7);
    const base = JSON.stringify(
      {
        a: [1, -2.5e3, true, false, null, 'x"y\\z\u00e9\n'],
        b: { c: [], d: {}, 'e f': '🎉' },
        g: 0.5,
      },
      null,
      2,
    );
    const alphabet = '{}[]":,\\ 0123456789.eE-+tfnul\n\t"ab';
    let agreedInvalid = 0;
    for (let trial = 0; trial < 3000; trial++) {
      let text = base;
      const edits = 1 + Math.floor(random() * 3);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(random() * text.length);
        const op = random();
        const ch = alphabet[Math.floor(random() * alphabet.length)]!;
        if (op < 0.33) text = text.slice(0, at) + text.slice(at + 1);
        else if (op < 0.66) text = text.slice(0, at) + ch + text.slice(at);
        else text = text.slice(0, at) + ch + text.slice(at + 1);
      }
      let valid = true;
      try {
        JSON.parse(text);
      } catch {
        valid = false;
      }
      const problem = findJsonSyntaxError(text);
      expect(problem === null, text).toBe(valid);
      if (problem) {
        agreedInvalid++;
        expect(problem.offset).toBeGreaterThanOrEqual(0);
        expect(problem.offset).toBeLessThanOrEqual(text.length);
      }
    }
    expect(agreedInvalid).toBeGreaterThan(1000);
  });

  it('does not overflow the stack on absurd nesting', () => {
    const deep = '['.repeat(200_000) + ']'.repeat(199_999);
    expect(findJsonSyntaxError(deep)).toEqual({
      offset: deep.length,
      expected: "',' or ']' after an array item",
    });
  });

  it('converts offsets to 1-based lines and columns', () => {
    expect(lineColumnAt('ab\ncd\nef', 0)).toEqual({ line: 1, column: 1 });
    expect(lineColumnAt('ab\ncd\nef', 4)).toEqual({ line: 2, column: 2 });
    expect(lineColumnAt('ab\ncd\nef', 8)).toEqual({ line: 3, column: 3 });
  });
});

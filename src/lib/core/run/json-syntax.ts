/**
 * Finds where JSON text first goes wrong. JSON.parse only sometimes says where (V8 in Node 20
 * often reports just "Unexpected token"; Safari never does), so after a failed parse we scan
 * the text ourselves to give every user a line and column. Only runs on the error path.
 */

/** The first syntax problem in a JSON text: its character offset and what should be there. */
export interface JsonSyntaxProblem {
  offset: number;
  expected: string;
}

const VALUE = 'a JSON value (object, array, string, number, true, false or null)';
const KEY = 'a property name in double quotes';

class Stop {
  constructor(readonly problem: JsonSyntaxProblem) {}
}

function fail(offset: number, expected: string): never {
  throw new Stop({ offset, expected });
}

/** Returns the first syntax error of `text`, or null when the text is valid JSON. */
export function findJsonSyntaxError(text: string): JsonSyntaxProblem | null {
  try {
    scan(text);
    return null;
  } catch (e) {
    if (e instanceof Stop) return e.problem;
    throw e;
  }
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

// Iterative on purpose: a hostile file nested 100,000 deep must not overflow our stack.
function scan(text: string): void {
  const n = text.length;
  const stack: number[] = []; // 0x7b '{' or 0x5b '['
  let i = 0;
  const skip = () => {
    while (i < n && isSpace(text.charCodeAt(i))) i++;
  };
  const key = () => {
    skip();
    if (text.charCodeAt(i) !== 0x22) fail(i, KEY);
    i = scanString(text, i);
    skip();
    if (text.charCodeAt(i) !== 0x3a) fail(i, "':' after the property name");
    i++;
  };

  for (;;) {
    // Expecting a value.
    skip();
    if (i >= n) fail(i, VALUE);
    const c = text.charCodeAt(i);
    let opened = false;
    if (c === 0x7b) {
      i++;
      skip();
      if (text.charCodeAt(i) === 0x7d) i++;
      else {
        stack.push(0x7b);
        key();
        opened = true;
      }
    } else if (c === 0x5b) {
      i++;
      skip();
      if (text.charCodeAt(i) === 0x5d) i++;
      else {
        stack.push(0x5b);
        opened = true;
      }
    } else if (c === 0x22) i = scanString(text, i);
    else if (c === 0x2d || isDigit(c)) i = scanNumber(text, i);
    else if (text.startsWith('true', i)) i += 4;
    else if (text.startsWith('false', i)) i += 5;
    else if (text.startsWith('null', i)) i += 4;
    else fail(i, VALUE);
    if (opened) continue;

    // After a complete value: close containers or move to the next item.
    for (;;) {
      skip();
      const top = stack[stack.length - 1];
      if (top === undefined) {
        if (i < n) fail(i, 'the end of the JSON text (there is more after the first value)');
        return;
      }
      const d = text.charCodeAt(i);
      if (d === 0x2c) {
        i++;
        if (top === 0x7b) key();
        break;
      }
      if ((top === 0x7b && d === 0x7d) || (top === 0x5b && d === 0x5d)) {
        stack.pop();
        i++;
        continue;
      }
      fail(
        i,
        top === 0x7b ? "',' or '}' after a property value" : "',' or ']' after an array item",
      );
    }
  }
}

function scanString(text: string, start: number): number {
  const n = text.length;
  let i = start + 1;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22) return i + 1;
    if (c < 0x20)
      fail(i, 'no raw control character (such as a line break) inside a string; write \\n');
    if (c === 0x5c) {
      const e = text[i + 1];
      if (e === 'u') {
        if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6)))
          fail(i, 'four hex digits after \\u');
        i += 6;
        continue;
      }
      if (e === undefined || !'"\\/bfnrt'.includes(e))
        fail(i, 'a valid escape (\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u)');
      i += 2;
      continue;
    }
    i++;
  }
  return fail(n, `a closing quote for the string that starts at offset ${start}`);
}

function scanNumber(text: string, start: number): number {
  let i = start;
  if (text.charCodeAt(i) === 0x2d) i++;
  if (text.charCodeAt(i) === 0x30) i++;
  else if (isDigit(text.charCodeAt(i))) while (isDigit(text.charCodeAt(i))) i++;
  else fail(i, 'a digit');
  if (text.charCodeAt(i) === 0x2e) {
    i++;
    if (!isDigit(text.charCodeAt(i))) fail(i, 'a digit after the decimal point');
    while (isDigit(text.charCodeAt(i))) i++;
  }
  const e = text.charCodeAt(i);
  if (e === 0x65 || e === 0x45) {
    i++;
    const s = text.charCodeAt(i);
    if (s === 0x2b || s === 0x2d) i++;
    if (!isDigit(text.charCodeAt(i))) fail(i, 'a digit in the exponent');
    while (isDigit(text.charCodeAt(i))) i++;
  }
  return i;
}

/** 1-based line and column of a character offset. */
export function lineColumnAt(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  let nl = text.indexOf('\n');
  while (nl !== -1 && nl < offset) {
    line++;
    lineStart = nl + 1;
    nl = text.indexOf('\n', lineStart);
  }
  return { line, column: offset - lineStart + 1 };
}

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CsvParser } from '../../../src/cli/profile/CsvParser.js';
import { MlobsError } from '../../../src/errors.js';

const TEXT =
  '\uFEFFid,note,score\r\n' +
  '1,"hello, world",0.5\r\n' +
  '2,"she said ""hi""",\r\n' +
  '3,"two\r\nlines",NA\n' +
  '4,plain,7';

function parseAll(pieces: string[]) {
  const p = new CsvParser('t.csv');
  const out = pieces.flatMap((s) => p.push(s));
  return [...out, ...p.end()];
}

describe('CsvParser', () => {
  it('reads quoted commas, doubled quotes, embedded line breaks, CRLF and a last line without a break', () => {
    const records = parseAll([TEXT]);
    assert.deepEqual(
      records.map((r) => r.fields),
      [
        ['id', 'note', 'score'],
        ['1', 'hello, world', '0.5'],
        ['2', 'she said "hi"', ''],
        ['3', 'two\r\nlines', 'NA'],
        ['4', 'plain', '7'],
      ],
    );
    assert.deepEqual(
      records.map((r) => r.line),
      [1, 2, 3, 4, 6],
    );
  });

  it('gives the same records whichever way the text is cut into pieces', () => {
    const whole = parseAll([TEXT]);
    for (let cut = 1; cut < TEXT.length; cut++)
      assert.deepEqual(parseAll([TEXT.slice(0, cut), TEXT.slice(cut)]), whole, `cut at ${cut}`);
    assert.deepEqual(parseAll([...TEXT]), whole);
  });

  it('names the line of an unterminated quote', () => {
    const p = new CsvParser('bad.csv');
    p.push('a,b\n1,2\n3,"never closed\nmore\n');
    assert.throws(
      () => p.end(),
      (e: unknown) =>
        e instanceof MlobsError &&
        e.code === 'MLOBS_ERR_DATA_INVALID' &&
        /bad\.csv:3: .*unterminated quote/.test(e.message),
    );
  });

  it('refuses text after a closing quote and a quote inside an unquoted field, with the line', () => {
    assert.throws(() => new CsvParser('x.csv').push('a\n"ab"c\n'), /x\.csv:2: .*after the closing quote/);
    assert.throws(
      () => new CsvParser('x.csv').push('a\nab"c"\n'),
      /x\.csv:2: .*quote inside an unquoted field/,
    );
  });
});

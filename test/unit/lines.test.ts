// The one line index (server/src/core/lines.ts): LSP end-of-line sequences "\n", "\r\n" and "\r"
// (LSP 3.17 "Text Documents": "the protocol specifies the following end-of-line sequences: '\n', '\r\n' and '\r'"),
// checked against vscode-languageserver-textdocument, the reference implementation of LSP positions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { eolOf, LineIndex, lineEndAt, lineStartAt, nextLineStart, normalizeLoneCR } from '../../server/src/core/lines';

test('lines: "\\n", "\\r\\n" and a lone "\\r" each end a line', () => {
  const li = new LineIndex('a\nbb\r\nccc\rd');
  assert.equal(li.lineCount, 4);
  assert.deepEqual(li.lines(), ['a', 'bb', 'ccc', 'd']);
  assert.deepEqual(li.position(7), { line: 2, character: 1 }); // the second c
  assert.deepEqual(li.position(10), { line: 3, character: 0 }); // d, after the lone \r
  assert.equal(li.offset(3, 0), 10);
  // Inside "\r\n" and past a line's end: clamped to the end of the line's content.
  assert.deepEqual(li.position(5), { line: 1, character: 2 });
  assert.equal(li.offset(1, 99), 4);
  // Outside the text: clamped to its ends.
  assert.deepEqual(li.position(-5), { line: 0, character: 0 });
  assert.deepEqual(li.position(999), { line: 3, character: 1 });
  assert.equal(li.offset(99, 0), 11);
  assert.equal(new LineIndex('x\n').lineCount, 2);
  assert.equal(new LineIndex('').lineCount, 1);
});

test('lines: positions and offsets agree with vscode-languageserver-textdocument on any text', () => {
  const ch = fc.constantFrom('a', ' ', '\n', '\r', '\r\n', '\t', '😀', 'e\u0301', '\uFEFF', ':');
  fc.assert(
    fc.property(fc.array(ch, { maxLength: 40 }).map((a) => a.join('')), fc.nat(60), fc.nat(12), fc.nat(12), (text, off, line, character) => {
      const li = new LineIndex(text);
      const doc = TextDocument.create('file:///x', 'yaml', 1, text);
      assert.equal(li.lineCount, doc.lineCount);
      assert.deepEqual(li.position(off), doc.positionAt(off));
      assert.equal(li.offset(line, character), doc.offsetAt({ line, character }));
      const p = li.position(off);
      assert.ok(p.character <= li.lineLength(p.line));
    }),
    { numRuns: 2000, seed: 7 },
  );
});

test('line helpers: line start / end / next line start and the document EOL', () => {
  const t = 'ab\r\ncd\ref\ngh';
  assert.equal(lineStartAt(t, 5), 4);
  assert.equal(lineStartAt(t, 8), 7);
  assert.equal(lineEndAt(t, 0), 2);
  assert.equal(nextLineStart(t, 0), 4); // "\r\n" is one break
  assert.equal(nextLineStart(t, 4), 7);
  assert.equal(nextLineStart(t, 11), 12);
  assert.equal(eolOf(t), '\r\n');
  assert.equal(eolOf('a\rb'), '\r');
  assert.equal(eolOf('ab'), '\n');
  assert.equal(normalizeLoneCR('a\rb\r\nc'), 'a\nb\r\nc');
});

/**
 * The text rules (shared/text.ts), checked against a definition of their own written here from
 * the rules as docs/SECURITY.md states them: any text without a refused character is kept as
 * typed (trimmed), any text with one is refused, naming the character, where it is and why.
 * And the shape check that refuses pathological JSON before it is parsed.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { multiLineText, singleLineText, textProblem, type TextKind } from '../../shared/text.ts';
import { jsonShapeProblem, MAX_JSON_DEPTH } from '../../server/http/validate.ts';

const BIDI = [0x061c, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069];
const LINE_BREAKS = [0x09, 0x0a, 0x0d, 0x2028, 0x2029];

/** Why a code point is refused in `kind` of text, or null: the rules, written out again. */
function refusal(cp: number, kind: TextKind): string | null {
  if (LINE_BREAKS.includes(cp)) return kind === 'single' ? 'error.text_line_break' : null;
  if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) return 'error.text_control';
  if (BIDI.includes(cp)) return 'error.text_bidi';
  if (cp >= 0xd800 && cp <= 0xdfff) return 'error.text_surrogate';
  if (cp === 0xfeff || (cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) === 0xfffe) return 'error.text_noncharacter';
  return null;
}

/** Every code point the rules refuse somewhere, for picking one to slip in. */
const REFUSED = [
  ...Array.from({ length: 0x20 }, (_, i) => i), ...Array.from({ length: 0x21 }, (_, i) => 0x7f + i), ...BIDI,
  0xd800, 0xdbff, 0xdc00, 0xdfff, 0xfeff, 0xfdd0, 0xfdef, 0xfffe, 0xffff, 0x1fffe, 0x10ffff, 0x2028, 0x2029,
];

/** A character a person may type: anything, with emoji sequences, joiners and wide scripts made likely. */
const allowedChar = (kind: TextKind) => fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 0x10ffff }).filter((cp) => !(cp >= 0xd800 && cp <= 0xdfff)).map((cp) => String.fromCodePoint(cp)) },
  { weight: 2, arbitrary: fc.integer({ min: 0x4e00, max: 0x9fa5 }).map((cp) => String.fromCodePoint(cp)) },
  { weight: 2, arbitrary: fc.constantFrom('👨‍👩‍👧', '🏴󠁧󠁢󠁳󠁣󠁴󠁿', '👍🏽', '❤️', 'می‌خواهم', 'مرحبا', 'שלום', '\u200d', '\u200c', '\ufffd', '\ue000', ' ', '张*', '<b>', '&amp;') },
).filter((s) => [...s].every((ch) => refusal(ch.codePointAt(0)!, kind) === null));

const typed = (kind: TextKind) => fc.array(allowedChar(kind), { maxLength: 40 }).map((chars) => chars.join(''));
const schemaOf = (kind: TextKind) => (kind === 'single' ? singleLineText(10_000) : multiLineText(10_000));

describe('the text rules', () => {
  for (const kind of ['single', 'multi'] as const) {
    it(`keeps any ${kind}-line text without a refused character as typed, trimmed`, () => {
      fc.assert(fc.property(typed(kind), (s) => {
        expect(textProblem(s, kind)).toBeNull();
        expect(schemaOf(kind).parse(s)).toBe(s.trim());
      }), { numRuns: 1000 });
    });

    it(`refuses any ${kind}-line text with a refused character, naming it, where it is and why`, () => {
      const refusedHere = REFUSED.filter((cp) => refusal(cp, kind) !== null);
      fc.assert(fc.property(typed(kind), fc.nat(), fc.constantFrom(...refusedHere), (s, pos, cp) => {
        const chars = [...s];
        const at = pos % (chars.length + 1);
        // Two halves of a pair slipped in side by side would make a character, not break one.
        const bad = String.fromCharCode(...(cp > 0xffff ? [0xd800 + ((cp - 0x10000) >> 10), 0xdc00 + ((cp - 0x10000) & 0x3ff)] : [cp]));
        chars.splice(at, 0, bad);
        const text = chars.join('');
        const problem = textProblem(text, kind);
        expect(problem).toMatchObject({ code: refusal(cp, kind), at: at + 1, char: `U+${cp.toString(16).toUpperCase().padStart(4, '0')}` });
        const r = schemaOf(kind).safeParse(text);
        expect(r.success).toBe(false);
        expect(r.error!.issues[0]).toMatchObject({ code: 'custom', params: { code: refusal(cp, kind) } });
      }), { numRuns: 1000 });
    });
  }

  it('keeps tabs and line breaks in multi-line text and refuses them in a name', () => {
    const text = '第一行\n\t第二行\r\n第三行\u2028';
    expect(multiLineText(100).parse(`${text}x`)).toBe(`${text}x`);
    expect(textProblem('张\t三', 'single')).toMatchObject({ code: 'error.text_line_break', char: 'U+0009', at: 2 });
    expect(textProblem('张三\n', 'single')).toMatchObject({ code: 'error.text_line_break', at: 3 });
  });

  it('counts the position in characters, so an emoji before it counts once', () => {
    expect(textProblem('👨‍👩‍👧\u202E', 'single')).toMatchObject({ code: 'error.text_bidi', at: 6 });
    expect(textProblem('a\uD83Db', 'single')).toMatchObject({ code: 'error.text_surrogate', char: 'U+D83D', at: 2 });
    expect(textProblem('\uDE00', 'multi')).toMatchObject({ code: 'error.text_surrogate', char: 'U+DE00', at: 1 });
  });
});

describe('the shape of a JSON body', () => {
  const nested = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;

  it(`takes nesting ${MAX_JSON_DEPTH} deep and refuses one level more`, () => {
    expect(jsonShapeProblem(nested(MAX_JSON_DEPTH))).toBeNull();
    expect(jsonShapeProblem(nested(MAX_JSON_DEPTH + 1))).toBe(`is nested more than ${MAX_JSON_DEPTH} levels deep`);
    expect(jsonShapeProblem(`{"a":${'{"b":'.repeat(MAX_JSON_DEPTH)}1${'}'.repeat(MAX_JSON_DEPTH)}}`)).toMatch(/nested more than/);
  });

  it('does not count brackets, commas or escaped quotes inside strings', () => {
    const inString = JSON.stringify({ title: `${'['.repeat(1000)}\\"[{,${'{'.repeat(1000)}`, note: '\\', x: '"[[[' });
    expect(jsonShapeProblem(inString, 4, 10)).toBeNull();
    expect(jsonShapeProblem(`["\\\\", ${nested(5)}]`, 5)).toBe('is nested more than 5 levels deep');
  });

  it('refuses more values than the limit, counted by commas and brackets', () => {
    expect(jsonShapeProblem(`[${Array(10).fill(0).join(',')}]`, 32, 10)).toBeNull();
    expect(jsonShapeProblem(`[${Array(11).fill(0).join(',')}]`, 32, 10)).toBe('has more than 10 values');
    expect(jsonShapeProblem(`[${Array(6).fill('{}').join(',')}]`, 32, 10)).toBe('has more than 10 values');
  });

  it('leaves malformed JSON to the parser', () => {
    expect(jsonShapeProblem('{"unterminated: [[[')).toBeNull();
    expect(jsonShapeProblem(']]]]')).toBeNull();
  });

  it('scans 8 MB in a few milliseconds', () => {
    const body = JSON.stringify({ events: Array.from({ length: 1000 }, (_, i) => ({ title: `事件${i}`, description: '描述'.repeat(4000) })) });
    expect(body.length).toBeGreaterThan(8_000_000);
    const t0 = performance.now();
    expect(jsonShapeProblem(body)).toBeNull();
    expect(jsonShapeProblem(nested(4_000_000))).toMatch(/nested more than/);
    expect(performance.now() - t0).toBeLessThan(200);
  });
});

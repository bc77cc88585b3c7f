import { foldVietnamese } from '../core/text';

/**
 * Names in the reorganisation texts: comparison keys (accent-, case-, space- and punctuation-
 * insensitive), spelling variants, and splitting a cell at top-level separators and parentheses.
 */

const MAX_MENTION = 255; // unit_lineage.mention is varchar(255)

const TONE_MARKS = /[\u0300\u0301\u0303\u0309\u0323]/g;
const ROMAN: Record<string, string> = { i: '1', ii: '2', iii: '3', iv: '4', v: '5', vi: '6', vii: '7', viii: '8', ix: '9', x: '10' };

const keyCache = new Map<string, { strict: string; loose: string }>();

/**
 * Comparison keys of a unit name, syllable by syllable:
 *  - `strict` keeps the tone and vowel marks but not where the tone sits ("Hoá" = "Hóa", "Thuỵ" = "Thụy"),
 *    so that true homonyms under folding ("Hoằng Đồng" / "Hoằng Đông") stay apart;
 *  - `loose` is foldVietnamese without spaces or punctuation ("Ea H'Leo" = "Ea HLeo"), with Roman
 *    numerals as digits ("Hòa Tú II" = "Hòa Tú 2").
 * Both spell a final i/y after a consonant alike ("Quý"/"Quí", "Sỹ"/"Sĩ", "Ealy"/"Ea Ly") and read
 * "Nông trường X", "N.T X" and "NT X" alike.
 */
export function nameKeys(text: string): { strict: string; loose: string } {
  let keys = keyCache.get(text);
  if (!keys) {
    keys = computeNameKeys(text);
    if (keyCache.size > 50_000) keyCache.clear();
    keyCache.set(text, keys);
  }
  return keys;
}

function computeNameKeys(text: string): { strict: string; loose: string } {
  const lower = text
    .normalize('NFC')
    .toLowerCase()
    .replace(/^(nông trường|n\.?\s?t\.?)\s+(?=\S)/, 'nt ');
  let strict = '';
  let loose = '';
  for (const word of lower.split(/[\s\-\u2010-\u2015]+/)) {
    const nfd = word.normalize('NFD');
    const tones = nfd.match(TONE_MARKS) ?? [];
    let base = nfd.replace(TONE_MARKS, '').normalize('NFC').replace(/[^\p{L}\p{N}]/gu, '');
    base = base.replace(/(qu|[bcdđghklmnprstvxz])y$/, '$1i');
    strict += base + tones.join('');
    const folded = foldVietnamese(base).replace(/[^a-z0-9]/g, '');
    loose += ROMAN[folded] ?? folded;
  }
  return { strict, loose };
}

/**
 * Spelling-variant key, used only when no name matches exactly or after folding: s/x, c/k, ch/tr and
 * doubled vowels are read alike — the usual variants in transcribed minority names ("Sín Chải"/"Xín Chải",
 * "Ngọk Yêu"/"Ngọc Yêu", "Nong Lay"/"Noong Lay", "Bhalêê"/"Bha Lê").
 */
export function variantKey(loose: string): string {
  return loose
    .replace(/x/g, 's')
    .replace(/k(?!h)/g, 'c')
    .replace(/tr/g, 'ch')
    .replace(/([aeiou])\1+/g, '$1');
}

/** Comparison key of a unit name: accent-, case-, space- and punctuation-insensitive (see nameKeys). */
export function nameKey(text: string): string {
  return nameKeys(text).loose;
}

const charFolds = new Map<string, string>();

/** Folds one character at a time so that the result is exactly as long as the input (for slicing). */
export function foldAligned(text: string): string {
  let out = '';
  for (const ch of text) {
    let f = charFolds.get(ch);
    if (f === undefined) {
      f = ch
        .normalize('NFD')
        .replace(/[\u0300-\u036f]/g, '')
        .replace(/đ/g, 'd')
        .replace(/Đ/g, 'D')
        .toLowerCase();
      if (f.length !== ch.length) f = ch.length === 1 ? ' ' : '  ';
      charFolds.set(ch, f);
    }
    out += f;
  }
  return out;
}

/** NFC, with stray combining marks dropped, curly apostrophes made straight and white space collapsed. */
export function cleanText(text: string): string {
  return text
    .normalize('NFC')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[\u2018\u2019\u02bc]/g, "'")
    .replace(/[\s\u00a0\u200b\ufeff]+/g, ' ')
    .trim();
}

export function clip(text: string): string {
  return text.length <= MAX_MENTION ? text : `${text.slice(0, MAX_MENTION - 1)}…`;
}

interface Segment {
  text: string;
  /** The segment was separated from the previous one by "và" (not by a comma). */
  afterAnd: boolean;
}

/** Splits at ',', ';' and ' và ' outside parentheses. */
export function splitTopLevel(text: string): Segment[] {
  const parts: Segment[] = [];
  let depth = 0;
  let start = 0;
  let afterAnd = false;
  const cut = (end: string, nextAfterAnd: boolean): void => {
    parts.push({ text: end.trim(), afterAnd });
    afterAnd = nextAfterAnd;
  };
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i];
    if (ch === '(') depth += 1;
    else if (ch === ')') depth = Math.max(0, depth - 1);
    else if (depth === 0 && (ch === ',' || ch === ';')) {
      cut(text.slice(start, i), false);
      start = i + 1;
    } else if (depth === 0 && ch === ' ' && /^ và /i.test(text.slice(i, i + 4))) {
      cut(text.slice(start, i), true);
      start = i + 3;
      i += 2;
    }
  }
  cut(text.slice(start), false);
  return parts.filter((p) => p.text !== '');
}

/** Pulls the top-level "( … )" groups out of a segment. */
export function extractParentheses(segment: string): { rest: string; groups: string[] } {
  const groups: string[] = [];
  let rest = '';
  let depth = 0;
  let current = '';
  for (const ch of segment) {
    if (ch === '(') {
      if (depth > 0) current += ch;
      depth += 1;
    } else if (ch === ')' && depth > 0) {
      depth -= 1;
      if (depth === 0) {
        groups.push(current.trim());
        current = '';
        rest += ' ';
      } else current += ch;
    } else if (depth > 0) current += ch;
    else rest += ch;
  }
  if (depth > 0) groups.push(current.trim()); // unbalanced: treat the tail as a parenthesis
  return { rest: rest.replace(/ +/g, ' ').trim(), groups };
}

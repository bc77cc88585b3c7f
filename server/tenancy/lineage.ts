import { foldVietnamese } from '../core/text';
import type { UnitRow } from './unit-csv';

/**
 * Resolves the free-text `predecessors` column of data/units/vn-units-2026.csv into links to the
 * units of data/units/vn-units-2024.csv.
 *
 * Provinces: "tỉnh A và tỉnh B", "tỉnh A, tỉnh B và tỉnh C", "TPHCM, tỉnh …"; a trailing sentence
 * after a full stop is commentary; an empty cell means the province continued unchanged.
 *
 * Communes: each predecessor name is looked up among the legacy communes of the legacy province(s)
 * that formed the commune's new province, so no link can leave those provinces. Names are compared
 * accent-, case-, space- and punctuation-insensitively (see nameKeys). The text is split at top-level
 * ',', ';' and 'và' (never inside parentheses). Per segment:
 *  - leading phrases such as "một phần diện tích TN, quy mô dân số của các phường", "phần còn lại của",
 *    "Toàn bộ diện tích TN …" set the partial flag for that segment and the segments that follow
 *    (until another such phrase), and may carry a type word ("các phường");
 *  - a type word (Xã, Phường, Thị trấn, …) carries over to following bare names;
 *  - parentheses: "(phần còn lại …)" / "(một phần)" mark that segment partial; "(huyện X)",
 *    "(thị xã X)", "(Quận 10)", "(thuộc huyện X)", "(huyện X, tỉnh Y)" name the legacy district
 *    (and province) to tell homonyms apart; other parentheses ("bao gồm …") are annotations;
 *  - a trailing "sau khi sắp xếp …" is dropped; "giữ nguyên" means the unit was kept as it was
 *    (linked to the legacy commune with the same code); "Huyện X" links every legacy commune of X.
 * Homonyms are narrowed by the district qualifier (a hard filter), then — each step only when it keeps
 * a candidate, and the first steps retried whenever a homonym is settled — the legacy districts of the
 * other predecessors of the same unit, the type word, the legacy unit with the successor's own code,
 * and the tones ("Hoằng Đồng" / "Hoằng Đông"). Anything still ambiguous is left unresolved, not guessed.
 * Names that match nothing are tried as spelling variants (s/x, c/k, ch/tr, doubled vowels), then as a
 * near name (one letter) of the legacy unit with the successor's code, then as a near name of the only
 * legacy unit of the provinces that nothing else claims; such links are listed in `approximate`.
 */

export interface LineageLink {
  successorCode: string;
  predecessorCode: string;
  level: 'PROVINCE' | 'COMMUNE';
  partial: boolean;
  mention: string;
}

export interface UnresolvedMention {
  successorCode: string;
  successorName: string;
  mention: string;
  reason: string;
}

export interface LevelCount {
  mentions: number;
  resolved: number;
}

/** A link made although the name in the text is spelt differently from the legacy name (for review). */
export interface ApproximateMatch {
  successorCode: string;
  successorName: string;
  mention: string;
  predecessorCode: string;
  predecessorName: string;
  rule: 'spelling variant' | 'near name of the same code' | 'near name of the only unclaimed unit';
}

export interface LineageResult {
  links: LineageLink[];
  unresolved: UnresolvedMention[];
  /** Predecessor mentions over both levels (one predecessor name in the text = one mention). */
  mentions: number;
  resolved: number;
  /** The same counts split by level; the commune rate is the meaningful quality figure. */
  byLevel: Record<'PROVINCE' | 'COMMUNE', LevelCount>;
  /** Links among `links` whose name only matched as a spelling variant (listed for review). */
  approximate: ApproximateMatch[];
}

// ---------------------------------------------------------------------------------------------
// Text helpers

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
function nameKeys(text: string): { strict: string; loose: string } {
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
function variantKey(loose: string): string {
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
function foldAligned(text: string): string {
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
function cleanText(text: string): string {
  return text
    .normalize('NFC')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[\u2018\u2019\u02bc]/g, "'")
    .replace(/[\s\u00a0\u200b\ufeff]+/g, ' ')
    .trim();
}

function clip(text: string): string {
  return text.length <= MAX_MENTION ? text : `${text.slice(0, MAX_MENTION - 1)}…`;
}

interface Segment {
  text: string;
  /** The segment was separated from the previous one by "và" (not by a comma). */
  afterAnd: boolean;
}

/** Splits at ',', ';' and ' và ' outside parentheses. */
function splitTopLevel(text: string): Segment[] {
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
function extractParentheses(segment: string): { rest: string; groups: string[] } {
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

// ---------------------------------------------------------------------------------------------
// Mention parsing

type MentionKind = 'COMMUNE' | 'DISTRICT' | 'VILLAGE' | 'KEPT';

interface Qualifier {
  district: string;
  province: string | null;
  text: string;
}

export interface ParsedMention {
  /** The segment as written; becomes LineageLink.mention. */
  text: string;
  name: string;
  kind: MentionKind;
  /** Folded type word ("xa", "phuong", "thi tran", …), explicit or carried over from the list. */
  type: string | null;
  /** The type word as written in this segment, or null when it was carried over (or absent). */
  typeWord: string | null;
  partial: boolean;
  qualifier: Qualifier | null;
  /** Separated from the previous mention by "và" ("Xã Lao và Chải" may be one name). */
  afterAnd: boolean;
}

interface TypeWord {
  word: string;
  folded: string;
  kind: MentionKind;
}

/** Type words, accent-sensitive (lower case) so that names such as "Quan Lạn" or "Xá" are not mistaken. */
const TYPE_WORDS: TypeWord[] = [
  { word: 'thị trấn', folded: 'thi tran', kind: 'COMMUNE' },
  { word: 'thị xã', folded: 'thi xa', kind: 'DISTRICT' },
  { word: 'xã', folded: 'xa', kind: 'COMMUNE' },
  { word: 'phường', folded: 'phuong', kind: 'COMMUNE' },
  { word: 'đặc khu', folded: 'dac khu', kind: 'COMMUNE' },
  { word: 'huyện', folded: 'huyen', kind: 'DISTRICT' },
  { word: 'quận', folded: 'quan', kind: 'DISTRICT' },
  { word: 'tổ dân phố', folded: 'to dan pho', kind: 'VILLAGE' },
  { word: 'thôn', folded: 'thon', kind: 'VILLAGE' },
  { word: 'xóm', folded: 'xom', kind: 'VILLAGE' },
];
/** Names of areas that are not administrative units at all. */
const NON_UNIT = /^(truong ban|khu vuc|bai boi|cum dao)\b/;

const PARTIAL_START = /^(mot phan|phan con lai)\b/;
const WHOLE_START = /^toan bo\b/;
/** Words that only occur inside the phrases, so they start one even after a comma ("…, quy mô dân số của …"). */
const PHRASE_CONTINUATION = /^(dien tich( tu nhien| tn)?|quy mo dan so)\b/;
const PHRASE_FILLER = /^(cua|cac|toan bo|mot phan)\b/;
/** "của", "các" (and the typo "củ") directly before a type word: "và các Xã …", "phần còn lại củ Xã …". */
const CONNECTIVE_BEFORE_TYPE = /^((?:cua|cu|cac) )+(?=(xa|phuong|thi tran)\b)/;
const QUALIFIER = /^(?:thuoc\s+)?(huyen|quan|thi xa|thanh pho|tp\.?)\s+(.+)$/;

function typeAt(lower: string, pos: number): TypeWord | null {
  for (const t of TYPE_WORDS) {
    if (lower.startsWith(t.word, pos)) {
      const next = lower[pos + t.word.length];
      if (next === undefined || next === ' ') return t;
    }
  }
  return null;
}

function parseQualifier(content: string): Qualifier | null {
  const parts = content.split(',').map((p) => p.trim());
  const first = QUALIFIER.exec(foldAligned(parts[0]));
  if (!first) return null;
  const district = parts[0].slice(parts[0].length - first[2].length).trim();
  let province: string | null = null;
  for (const p of parts.slice(1)) {
    const m = /^(tinh|thanh pho|tp\.?)\s+(.+)$/.exec(foldAligned(p));
    if (m) province = p.slice(p.length - m[2].length).trim();
  }
  return { district, province, text: content };
}

/** Parses a commune's `predecessors` cell into one entry per predecessor name. */
export function parseCommuneMentions(cell: string): ParsedMention[] {
  const text = cleanText(cell);
  if (nameKey(text) === 'giunguyen') {
    return [{ text, name: '', kind: 'KEPT', type: null, typeWord: null, partial: false, qualifier: null, afterAnd: false }];
  }

  const mentions: ParsedMention[] = [];
  let carriedType: TypeWord | null = null;
  let carriedPartial = false;
  let phrasePending = false; // the previous segment was a phrase without a name ("một phần diện tích TN,")

  for (const segment of splitTopLevel(text)) {
    const { rest, groups } = extractParentheses(segment.text);
    let ownPartial = false;
    let qualifier: Qualifier | null = null;
    for (const g of groups) {
      if (/\b(mot phan|phan con lai)\b/.test(foldAligned(g))) ownPartial = true;
      else qualifier = parseQualifier(g) ?? qualifier;
    }

    // Drop a trailing "sau khi sắp xếp …" / "sau khi sáp nhập …".
    let body = rest;
    const tail = /\s*\bsau khi (sap xep|sap nhap)\b.*$/.exec(foldAligned(body));
    if (tail) body = body.slice(0, tail.index);
    const folded = foldAligned(body);
    const lower = body.toLowerCase().length === body.length ? body.toLowerCase() : folded;

    // Consume leading connectives, phrases and type words.
    let pos = 0;
    let phrase = false;
    let typed: TypeWord | null = null;
    let typeWord: string | null = null;
    for (;;) {
      while (body[pos] === ' ') pos += 1;
      const f = folded.slice(pos);
      const m =
        typed === null
          ? /^(va|sap xep)\b/.exec(f) ??
            PARTIAL_START.exec(f) ??
            WHOLE_START.exec(f) ??
            PHRASE_CONTINUATION.exec(f) ??
            CONNECTIVE_BEFORE_TYPE.exec(f) ??
            (phrase ? PHRASE_FILLER.exec(f) : null)
          : null;
      if (m) {
        if (PARTIAL_START.test(m[0])) {
          carriedPartial = true;
          phrase = true;
        } else if (WHOLE_START.test(m[0])) {
          // "một phần diện tích TN, toàn bộ quy mô dân số của …" is still a part.
          if (!(phrasePending && pos === 0)) carriedPartial = false;
          phrase = true;
        } else if (PHRASE_CONTINUATION.test(m[0])) phrase = true;
        pos += m[0].length;
        continue;
      }
      const t = typeAt(lower, pos);
      // After a type word only the same word may repeat ("của xã Xã Vầy Nưa"); "Phường Xóm Củi" is a name.
      if (t && (typed === null || t.folded === typed.folded)) {
        typed = t;
        typeWord = body.slice(pos, pos + t.word.length);
        pos += t.word.length;
        continue;
      }
      break;
    }
    if (typed) carriedType = typed;
    const type = typed ?? carriedType;
    const partial = ownPartial || carriedPartial;

    let name = body.slice(pos).replace(/[.;:\s]+$/, '').trim();
    phrasePending = name === '' && phrase;
    if (name === '') continue; // a phrase only ("một phần diện tích TN")

    // "xã Yên Định  Xã Yên Định": a name repeated with its type word, or two names run together.
    const names: string[] = [];
    const inner = /\s(xã|phường|thị trấn)\s/i;
    let m2: RegExpExecArray | null;
    while ((m2 = inner.exec(name))) {
      names.push(name.slice(0, m2.index).trim());
      name = name.slice(m2.index + m2[0].length).trim();
    }
    names.push(name);
    const distinct = names.filter((n, i) => n !== '' && names.findIndex((o) => nameKey(o) === nameKey(n)) === i);

    distinct.forEach((n, i) => {
      mentions.push({
        text: segment.text,
        name: n,
        kind: type ? type.kind : 'COMMUNE',
        type: type ? type.folded : null,
        typeWord: i === 0 ? typeWord : null,
        partial,
        qualifier,
        afterAnd: i === 0 && segment.afterAnd,
      });
    });
  }
  return mentions;
}

/** Parses a province's `predecessors` cell into legacy province names. */
export function parseProvinceMentions(cell: string): string[] {
  let text = cleanText(cell);
  const sentence = /\.\s+(?=\p{Lu})/u.exec(text); // "tỉnh A và tỉnh B. Từ ngày … thành phố …"
  if (sentence) text = text.slice(0, sentence.index);
  return splitTopLevel(text.replace(/\.$/, ''))
    .map(({ text: p }) => {
      const m = /^(tinh|thanh pho|tp\.?)\s*/.exec(foldAligned(p));
      return m ? p.slice(m[0].length).trim() : p;
    })
    .filter((p) => p !== '');
}

const PROVINCE_ALIASES: Record<string, string> = { hcm: 'hochiminh', tphcm: 'hochiminh' };

// ---------------------------------------------------------------------------------------------
// Legacy index

/** Units of one kind in one province, by strict and by loose name key. */
class NameIndex {
  private readonly strict = new Map<string, UnitRow[]>();
  private readonly loose = new Map<string, UnitRow[]>();
  private readonly variant = new Map<string, UnitRow[]>();
  readonly all: UnitRow[] = [];

  add(unit: UnitRow): void {
    const k = nameKeys(unit.name);
    push(this.strict, k.strict, unit);
    push(this.loose, k.loose, unit);
    push(this.variant, variantKey(k.loose), unit);
    this.all.push(unit);
  }

  find(name: string): UnitRow[][] {
    const k = nameKeys(name);
    return [this.strict.get(k.strict) ?? [], this.loose.get(k.loose) ?? [], this.variant.get(variantKey(k.loose)) ?? []];
  }
}

/**
 * How a name was matched: 1 folded (accent-insensitive), 2 spelling variant, 3 near name of the legacy unit
 * with the successor's code, 4 near name of the only legacy unit of the provinces that nothing else claims.
 */
type MatchTier = 1 | 2 | 3 | 4;

interface LegacyIndex {
  byCode: Map<string, UnitRow>;
  provinceByKey: Map<string, UnitRow[]>;
  /** legacy commune or district code → legacy province code */
  provinceOf: Map<string, string>;
  /** legacy commune code → legacy district (null when attached to the province directly) */
  districtOf: Map<string, UnitRow | null>;
  communes: Map<string, NameIndex>; // by province code
  districts: Map<string, NameIndex>; // by province code
  communesOfDistrict: Map<string, UnitRow[]>;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function indexIn(map: Map<string, NameIndex>, province: string): NameIndex {
  let index = map.get(province);
  if (!index) {
    index = new NameIndex();
    map.set(province, index);
  }
  return index;
}

function indexLegacy(legacy: UnitRow[]): LegacyIndex {
  const idx: LegacyIndex = {
    byCode: new Map(),
    provinceByKey: new Map(),
    provinceOf: new Map(),
    districtOf: new Map(),
    communes: new Map(),
    districts: new Map(),
    communesOfDistrict: new Map(),
  };
  for (const u of legacy) idx.byCode.set(u.code, u);
  for (const u of legacy) {
    if (u.level === 'PROVINCE') push(idx.provinceByKey, nameKey(u.name), u);
    else if (u.level === 'DISTRICT' && u.parentCode) {
      idx.provinceOf.set(u.code, u.parentCode);
      indexIn(idx.districts, u.parentCode).add(u);
    }
  }
  for (const u of legacy) {
    if (u.level !== 'COMMUNE' || !u.parentCode) continue;
    const parent = idx.byCode.get(u.parentCode);
    if (!parent) continue;
    const province = parent.level === 'PROVINCE' ? parent.code : parent.parentCode;
    if (!province) continue;
    idx.provinceOf.set(u.code, province);
    idx.districtOf.set(u.code, parent.level === 'DISTRICT' ? parent : null);
    if (parent.level === 'DISTRICT') push(idx.communesOfDistrict, parent.code, u);
    indexIn(idx.communes, province).add(u);
  }
  return idx;
}

interface Lookup {
  /** Accent-insensitive matches, or else spelling variants. */
  units: UnitRow[];
  /** Codes among `units` whose name matches with the same tones as well (the last tie-break). */
  exact: Set<string>;
  tier: MatchTier;
}

/**
 * Looks a name up in the given provinces: every accent-insensitive match (the tone-exact ones are
 * flagged), or when there is none the spelling variants (unless `variants` is false).
 */
function lookupTiered(map: Map<string, NameIndex>, provinces: string[], name: string, variants = true): Lookup {
  const tiers: UnitRow[][] = [[], [], []];
  for (const p of provinces) {
    const hit = map.get(p)?.find(name);
    if (hit) hit.forEach((units, i) => tiers[i].push(...units));
  }
  const exact = new Set(tiers[0].map((u) => u.code));
  if (tiers[1].length > 0 || !variants) return { units: tiers[1], exact, tier: 1 };
  return { units: tiers[2], exact, tier: 2 };
}

function lookup(map: Map<string, NameIndex>, provinces: string[], name: string, variants = true): UnitRow[] {
  return lookupTiered(map, provinces, name, variants).units;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const cur = [i];
    for (let j = 1; j <= b.length; j += 1) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

/** The nearest legacy names (for the report only: they are never linked automatically). */
function nearest(name: string, provinces: string[], idx: LegacyIndex): UnitRow[] {
  const key = nameKey(name);
  const scored: { unit: UnitRow; d: number }[] = [];
  for (const p of provinces) {
    for (const unit of idx.communes.get(p)?.all ?? []) {
      const d = editDistance(key, nameKey(unit.name));
      if (d <= 2) scored.push({ unit, d });
    }
  }
  return scored
    .sort((x, y) => x.d - y.d)
    .slice(0, 3)
    .map((s) => s.unit);
}

// ---------------------------------------------------------------------------------------------
// Resolution

interface Outcome {
  mention: ParsedMention;
  codes: string[]; // resolved predecessors (several for a district expanded to its communes)
  candidates: UnitRow[]; // still ambiguous
  exact: Set<string>; // candidates whose tones match too
  reason: string | null;
  tier: MatchTier;
  /** No unit of that name at all (candidate for the unclaimed-unit pass). */
  unknownName: boolean;
}

function describe(units: UnitRow[], idx: LegacyIndex): string {
  return units
    .map((c) => {
      const d = idx.districtOf.get(c.code);
      return `${c.code} ${c.fullName}${d ? ` (${d.fullName})` : ''}`;
    })
    .join(', ');
}

function provinceNames(provinces: string[], idx: LegacyIndex): string {
  return provinces.map((p) => `${p} ${idx.byCode.get(p)?.name ?? '?'}`).join(', ');
}

function resolveKept(successor: UnitRow, provinces: string[], idx: LegacyIndex, out: Outcome): Outcome {
  const same = idx.byCode.get(successor.code);
  if (same && same.level === 'COMMUNE' && provinces.includes(idx.provinceOf.get(same.code) ?? '')) {
    const a = nameKey(same.name);
    const b = nameKey(successor.name);
    if (a === b) out.codes.push(same.code);
    else if (variantKey(a) === variantKey(b)) {
      out.codes.push(same.code);
      out.tier = 2;
    } else out.reason = `"giữ nguyên" but legacy ${same.code} is ${same.fullName}, not ${successor.name}`;
    return out;
  }
  const byName = lookup(idx.communes, provinces, successor.name, false);
  if (byName.length === 1) out.codes.push(byName[0].code);
  else out.reason = `"giữ nguyên" but no legacy commune ${successor.code}, and ${byName.length} named ${successor.name}`;
  return out;
}

function resolveCommuneMention(mention: ParsedMention, successor: UnitRow, provinces: string[], idx: LegacyIndex): Outcome {
  const out: Outcome = { mention, codes: [], candidates: [], exact: new Set(), reason: null, tier: 1, unknownName: false };
  const label = mention.name;
  if (mention.kind === 'KEPT') return resolveKept(successor, provinces, idx, out);
  if (mention.kind === 'VILLAGE') {
    out.reason = 'not a commune-level unit (village or residential group: no national code)';
    return out;
  }
  if (mention.kind === 'DISTRICT') {
    const districts = lookup(idx.districts, provinces, label, false);
    if (districts.length !== 1) {
      out.reason =
        districts.length === 0
          ? `no legacy district named ${label} in provinces ${provinceNames(provinces, idx)}`
          : `ambiguous: codes ${describe(districts, idx)}`;
      return out;
    }
    const communes = idx.communesOfDistrict.get(districts[0].code) ?? [];
    if (communes.length === 0) out.reason = `legacy district ${districts[0].code} ${districts[0].fullName} had no commune-level units`;
    else out.codes.push(...communes.map((c) => c.code));
    return out;
  }

  let found = lookupTiered(idx.communes, provinces, label);
  // "Phường Đúc" is the full name of legacy "Phường Phường Đúc".
  if (found.units.length === 0 && mention.typeWord) found = lookupTiered(idx.communes, provinces, `${mention.typeWord} ${label}`);
  let candidates = found.units;
  out.exact = found.exact;
  out.tier = found.tier;
  // A misspelt name of the predecessor whose code the successor took over ("Hua Bum" for 03460 Hua Bun).
  if (candidates.length === 0) {
    const same = idx.byCode.get(successor.code);
    if (same && same.level === 'COMMUNE' && provinces.includes(idx.provinceOf.get(same.code) ?? '')) {
      const a = variantKey(nameKey(label));
      if (a.length >= 4 && editDistance(a, variantKey(nameKey(same.name))) <= 1) {
        candidates = [same];
        out.tier = 3;
      }
    }
  }
  const district = lookup(idx.districts, provinces, label, false);
  if (candidates.length === 0) {
    if (NON_UNIT.test(foldVietnamese(label))) out.reason = 'not an administrative unit (an area named in the text)';
    else if (district.length > 0 && mention.typeWord === null) {
      out.reason = `names legacy district ${district[0].code} ${district[0].fullName}, not a commune (a misplaced qualifier?)`;
    } else {
      out.unknownName = true;
      const near = nearest(label, provinces, idx);
      out.reason =
        `no legacy unit named ${label} in provinces ${provinceNames(provinces, idx)}` +
        (near.length > 0 ? `; nearest names: ${describe(near, idx)}` : '');
    }
    return out;
  }
  // "Xã Nhị Thành, Thủ Thừa": a bare district name after a list is a stray qualifier, not Thị trấn Thủ Thừa.
  if (district.length > 0 && mention.typeWord === null && mention.type && !candidates.some((c) => foldVietnamese(c.type) === mention.type)) {
    out.reason = `names legacy district ${district[0].code} ${district[0].fullName}, not a commune (a misplaced qualifier?)`;
    return out;
  }
  // 1. The district (and province) named in parentheses: a hard filter.
  const q = mention.qualifier;
  if (q) {
    const before = candidates;
    candidates = candidates.filter((c) => {
      const d = idx.districtOf.get(c.code);
      if (!d || nameKey(d.name) !== nameKey(q.district)) return false;
      if (q.province === null) return true;
      const p = idx.byCode.get(idx.provinceOf.get(c.code) ?? '');
      return p !== undefined && nameKey(p.name) === nameKey(q.province);
    });
    if (candidates.length === 0) {
      out.reason = `no legacy unit named ${label} in "${q.text}" (candidates: ${describe(before, idx)})`;
      return out;
    }
  }
  if (candidates.length === 1) out.codes.push(candidates[0].code);
  else out.candidates = candidates;
  return out;
}

/**
 * Narrows the homonyms left after the first pass, each step only when it keeps at least one candidate:
 * 2. the legacy districts of the other predecessors of the same unit (a qualifier written once for a
 *    group, "Phường 1, Phường 2 (thành phố Sa Đéc)", or a type word that is wrong in the text:
 *    "Xã Phú Bình" for Phường Phú Bình of Long Khánh);
 * 3. the type word ("Thị trấn Đình Lập, Xã Đình Lập");
 * 4. the legacy unit with the successor's own code (codes were reused by one predecessor);
 * 5. the tones ("Hoằng Đồng" / "Hoằng Đông").
 */
function narrowAll(outcomes: Outcome[], successor: UnitRow, idx: LegacyIndex): void {
  const districtOf = (u: UnitRow): string => idx.districtOf.get(u.code)?.code ?? '-';
  const districts = new Set<string>();
  const addDistricts = (o: Outcome): void => {
    for (const code of o.codes) districts.add(idx.districtOf.get(code)?.code ?? '');
  };
  outcomes.forEach(addDistricts);
  const steps: ((o: Outcome, u: UnitRow) => boolean)[] = [
    (_o, u) => districts.has(districtOf(u)),
    (o, u) => o.mention.type !== null && foldVietnamese(u.type) === o.mention.type,
    (_o, u) => u.code === successor.code,
    (o, u) => o.exact.has(u.code),
  ];
  // Use the weakest evidence last: whenever a homonym is settled, its district may settle others,
  // so start again with the district step alone.
  let depth = 1;
  while (depth <= steps.length) {
    let progress = false;
    for (const o of outcomes) {
      if (o.candidates.length < 2) continue;
      let c = o.candidates;
      for (const step of steps.slice(0, depth)) {
        if (c.length < 2) break;
        const kept = c.filter((u) => step(o, u));
        if (kept.length > 0) c = kept;
      }
      if (c.length === 1) {
        o.codes.push(c[0].code);
        o.candidates = [];
        addDistricts(o);
        progress = true;
      }
    }
    depth = progress ? 1 : depth + 1;
  }
  // What is left is reported with the candidates that survived every step.
  for (const o of outcomes) {
    for (const step of steps) {
      const kept = o.candidates.filter((u) => step(o, u));
      if (kept.length > 0) o.candidates = kept;
    }
  }
}

/**
 * Last resort for names that match nothing: when exactly one legacy commune of the provinces is claimed
 * by no other mention and its name is within two letters of the mention (and no other failed mention
 * points to it), it must be that unit under a misspelt name ("Xã Pú Bẩu" for the unclaimed Xã Pú Pẩu).
 */
function matchUnclaimed(failed: { outcome: Outcome; provinces: string[] }[], claimed: Set<string>, idx: LegacyIndex): void {
  const choice = new Map<Outcome, UnitRow>();
  const wanted = new Map<string, number>();
  for (const { outcome, provinces } of failed) {
    const a = variantKey(nameKey(outcome.mention.name));
    const near: UnitRow[] = [];
    for (const p of provinces) {
      for (const u of idx.communes.get(p)?.all ?? []) {
        if (claimed.has(u.code)) continue;
        const b = variantKey(nameKey(u.name));
        const d = editDistance(a, b);
        if (d <= 2 && 2 * d <= Math.min(a.length, b.length)) near.push(u);
      }
    }
    if (near.length === 1) {
      choice.set(outcome, near[0]);
      wanted.set(near[0].code, (wanted.get(near[0].code) ?? 0) + 1);
    }
  }
  for (const [outcome, unit] of choice) {
    if (wanted.get(unit.code) !== 1) continue;
    outcome.codes.push(unit.code);
    outcome.tier = 4;
    outcome.reason = null;
  }
}

/** "Xã Lao và Chải" is one commune (Lao và Chải), not two: rejoin a failed name with the bare name after "và". */
function rejoinAnd(mentions: ParsedMention[], provinces: string[], idx: LegacyIndex): ParsedMention[] {
  const out: ParsedMention[] = [];
  for (let i = 0; i < mentions.length; i += 1) {
    const m = mentions[i];
    const next = mentions[i + 1];
    if (
      next &&
      next.afterAnd &&
      next.typeWord === null &&
      m.kind === 'COMMUNE' &&
      lookup(idx.communes, provinces, m.name, false).length === 0
    ) {
      const joined = `${m.name} và ${next.name}`;
      if (lookup(idx.communes, provinces, joined, false).length > 0) {
        out.push({ ...m, name: joined, text: `${m.text} và ${next.text}`, partial: m.partial || next.partial });
        i += 1;
        continue;
      }
    }
    out.push(m);
  }
  return out;
}

function resolveProvince(
  current: UnitRow,
  idx: LegacyIndex,
  links: LineageLink[],
  unresolved: UnresolvedMention[],
  count: LevelCount,
): string[] {
  const found: string[] = [];
  const link = (legacy: UnitRow, mention: string): void => {
    found.push(legacy.code);
    count.resolved += 1;
    links.push({ successorCode: current.code, predecessorCode: legacy.code, level: 'PROVINCE', partial: false, mention: clip(mention) });
  };
  const fail = (mention: string, reason: string): void => {
    unresolved.push({ successorCode: current.code, successorName: current.name, mention, reason });
  };
  if (current.predecessors === null) {
    // An empty cell: the province continued unchanged, under the same code and name.
    count.mentions += 1;
    const same = idx.byCode.get(current.code);
    if (same && same.level === 'PROVINCE' && nameKey(same.name) === nameKey(current.name)) link(same, '(unchanged)');
    else fail('(empty: unchanged)', same ? `legacy ${same.code} is ${same.fullName}, not ${current.name}` : `no legacy province ${current.code}`);
    return found;
  }
  for (const name of parseProvinceMentions(current.predecessors)) {
    count.mentions += 1;
    const key = nameKey(name);
    const hits = idx.provinceByKey.get(PROVINCE_ALIASES[key] ?? key) ?? [];
    if (hits.length === 1) link(hits[0], name);
    else fail(name, hits.length === 0 ? `no legacy province named ${name}` : `ambiguous: codes ${hits.map((h) => h.code).join(', ')}`);
  }
  return found;
}

/** Resolve the 2026 `predecessors` text into links to 2024 units. */
export function resolveLineage(current: UnitRow[], legacy: UnitRow[]): LineageResult {
  const idx = indexLegacy(legacy);
  const links: LineageLink[] = [];
  const unresolved: UnresolvedMention[] = [];
  const approximate: ApproximateMatch[] = [];
  const byLevel: Record<'PROVINCE' | 'COMMUNE', LevelCount> = {
    PROVINCE: { mentions: 0, resolved: 0 },
    COMMUNE: { mentions: 0, resolved: 0 },
  };

  const predecessorProvinces = new Map<string, string[]>();
  for (const unit of current) {
    if (unit.level === 'PROVINCE') predecessorProvinces.set(unit.code, resolveProvince(unit, idx, links, unresolved, byLevel.PROVINCE));
  }

  const resolvedUnits: { unit: UnitRow; outcomes: Outcome[] }[] = [];
  const failed: { outcome: Outcome; provinces: string[] }[] = [];
  const claimed = new Set<string>();
  for (const unit of current) {
    if (unit.level !== 'COMMUNE') continue;
    const provinces = predecessorProvinces.get(unit.parentCode ?? '') ?? [];
    const mentions = rejoinAnd(parseCommuneMentions(unit.predecessors ?? ''), provinces, idx);
    const outcomes = mentions.map((m) => resolveCommuneMention(m, unit, provinces, idx));
    narrowAll(outcomes, unit, idx);
    for (const o of outcomes) {
      if (o.candidates.length > 1) o.reason = `ambiguous: codes ${describe(o.candidates, idx)}`;
      for (const code of o.codes) claimed.add(code);
      if (o.unknownName) failed.push({ outcome: o, provinces });
    }
    resolvedUnits.push({ unit, outcomes });
  }
  matchUnclaimed(failed, claimed, idx);

  const RULES: Record<MatchTier, ApproximateMatch['rule'] | null> = {
    1: null,
    2: 'spelling variant',
    3: 'near name of the same code',
    4: 'near name of the only unclaimed unit',
  };
  for (const { unit, outcomes } of resolvedUnits) {
    if (outcomes.length === 0) {
      byLevel.COMMUNE.mentions += 1;
      unresolved.push({ successorCode: unit.code, successorName: unit.name, mention: unit.predecessors ?? '', reason: 'no predecessor named in the text' });
      continue;
    }
    const seen = new Map<string, LineageLink>();
    for (const o of outcomes) {
      byLevel.COMMUNE.mentions += 1;
      if (o.codes.length === 0) {
        unresolved.push({ successorCode: unit.code, successorName: unit.name, mention: o.mention.text, reason: o.reason ?? 'unresolved' });
        continue;
      }
      byLevel.COMMUNE.resolved += 1;
      const rule = RULES[o.tier];
      for (const code of o.codes) {
        if (rule) {
          approximate.push({
            successorCode: unit.code,
            successorName: unit.name,
            mention: o.mention.kind === 'KEPT' ? `${o.mention.text} (${unit.name})` : o.mention.text,
            predecessorCode: code,
            predecessorName: idx.byCode.get(code)?.fullName ?? '?',
            rule,
          });
        }
        const existing = seen.get(code);
        if (existing) {
          existing.partial = existing.partial || o.mention.partial;
          continue;
        }
        const link: LineageLink = {
          successorCode: unit.code,
          predecessorCode: code,
          level: 'COMMUNE',
          partial: o.mention.partial,
          mention: clip(o.mention.text),
        };
        seen.set(code, link);
        links.push(link);
      }
    }
  }

  return {
    links,
    unresolved,
    mentions: byLevel.PROVINCE.mentions + byLevel.COMMUNE.mentions,
    resolved: byLevel.PROVINCE.resolved + byLevel.COMMUNE.resolved,
    byLevel,
    approximate,
  };
}

function percent(part: number, whole: number): string {
  return whole === 0 ? '–' : `${((100 * part) / whole).toFixed(2)}%`;
}

/** A human-readable summary: counts, % resolved, then every unresolved mention one per line. */
export function formatLineageReport(result: LineageResult): string {
  const { PROVINCE: p, COMMUNE: c } = result.byLevel;
  const partial = result.links.filter((l) => l.partial).length;
  const lines = [
    'Lineage of the 2025 reorganisation (2026 units → 2024 units)',
    `  provinces: ${p.resolved}/${p.mentions} mentions resolved (${percent(p.resolved, p.mentions)})`,
    `  communes:  ${c.resolved}/${c.mentions} mentions resolved (${percent(c.resolved, c.mentions)})`,
    `  total:     ${result.resolved}/${result.mentions} mentions resolved (${percent(result.resolved, result.mentions)})`,
    `  links:     ${result.links.length} (${partial} partial, ${result.approximate.length} by spelling variant)`,
    `Unresolved mentions: ${result.unresolved.length}`,
    ...result.unresolved.map((u) => `  ${u.successorCode} ${u.successorName}: "${u.mention}" — ${u.reason}`),
    `Links by spelling variant (check): ${result.approximate.length}`,
    ...result.approximate.map(
      (a) => `  ${a.successorCode} ${a.successorName}: "${a.mention}" → ${a.predecessorCode} ${a.predecessorName} (${a.rule})`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}

import { cleanText, extractParentheses, foldAligned, nameKey, splitTopLevel } from './lineage-names';

/** Parsing the `predecessors` cells into mentions: one per predecessor name, with its qualifiers. */

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
export const NON_UNIT = /^(truong ban|khu vuc|bai boi|cum dao)\b/;

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

export const PROVINCE_ALIASES: Record<string, string> = { hcm: 'hochiminh', tphcm: 'hochiminh' };

import { foldVietnamese } from '../core/text';
import type { UnitRow } from './unit-csv';
import { clip, nameKey, nameKeys, variantKey } from './lineage-names';
import { NON_UNIT, type ParsedMention, parseProvinceMentions, PROVINCE_ALIASES } from './lineage-parsing';
import type { LevelCount, LineageLink, UnresolvedMention } from './lineage-result';

/**
 * Matching mentions against the legacy (2024) units: the name index, lookup by tiers (exact, spelling
 * variant, near name), and the narrowing of homonyms.
 */

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
export type MatchTier = 1 | 2 | 3 | 4;

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

export function indexLegacy(legacy: UnitRow[]): LegacyIndex {
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

export interface Outcome {
  mention: ParsedMention;
  codes: string[]; // resolved predecessors (several for a district expanded to its communes)
  candidates: UnitRow[]; // still ambiguous
  exact: Set<string>; // candidates whose tones match too
  reason: string | null;
  tier: MatchTier;
  /** No unit of that name at all (candidate for the unclaimed-unit pass). */
  unknownName: boolean;
}

export function describe(units: UnitRow[], idx: LegacyIndex): string {
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

export function resolveCommuneMention(mention: ParsedMention, successor: UnitRow, provinces: string[], idx: LegacyIndex): Outcome {
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
export function narrowAll(outcomes: Outcome[], successor: UnitRow, idx: LegacyIndex): void {
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
export function matchUnclaimed(failed: { outcome: Outcome; provinces: string[] }[], claimed: Set<string>, idx: LegacyIndex): void {
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
export function rejoinAnd(mentions: ParsedMention[], provinces: string[], idx: LegacyIndex): ParsedMention[] {
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

export function resolveProvince(
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

import type { UnitRow } from './unit-csv';
import { describe, indexLegacy, type MatchTier, matchUnclaimed, narrowAll, type Outcome, rejoinAnd, resolveCommuneMention, resolveProvince } from './lineage-matching';
import { clip } from './lineage-names';
import { parseCommuneMentions } from './lineage-parsing';
import type { ApproximateMatch, LevelCount, LineageLink, LineageResult, UnresolvedMention } from './lineage-result';

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

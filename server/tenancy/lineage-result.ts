

/** What resolving the lineage produces, and its human-readable report. */

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

import { DataSource } from 'typeorm';

/**
 * The indexes a competent DBA would add for the plain-SQL aggregate (bench/measure.ts plainSql),
 * so the baseline is not flattered by a missing index: placements by path prefix carrying the
 * columns the join needs, and observations by unit, indicator and period carrying the components
 * summed (a covering index: the aggregate never reads the table rows). The hub does not need
 * them; the bench creates them just before the plain-SQL phase and says so in the report.
 */
export const COVERING_INDEXES = [
  { name: 'bench_placement_path_covering', table: 'unit_placement', columns: ['path', 'valid_from', 'valid_to', 'unit_id'] },
  { name: 'bench_observation_covering', table: 'observation', columns: ['unit_id', 'indicator_id', 'period', 'disaggregation', 'sex', 'numerator', 'denominator'] },
];

export async function addCoveringIndexes(dataSource: DataSource): Promise<void> {
  for (const index of COVERING_INDEXES) await dataSource.query(`CREATE INDEX IF NOT EXISTS ${index.name} ON ${index.table} (${index.columns.join(', ')})`);
  await dataSource.query(dataSource.options.type === 'mysql' ? 'ANALYZE TABLE observation, unit_placement' : 'ANALYZE');
}

export function describeCoveringIndexes(): string {
  return COVERING_INDEXES.map((i) => `\`${i.table} (${i.columns.join(', ')})\``).join(' and ');
}

import { MigrationInterface, QueryRunner, Table, TableColumn, TableColumnOptions } from 'typeorm';

const component = (name: string): TableColumnOptions => ({ name, type: 'double', default: 0 });
const count = (name: string): TableColumnOptions => ({ name, type: 'int', default: 0 });
/** A dimension and a code of its list each have Vietnamese and English names and a place in order. */
const NAMED: TableColumnOptions[] = [
  { name: 'name', type: 'varchar', length: '200' },
  { name: 'name_en', type: 'varchar', length: '200' },
  { name: 'ordinal', type: 'int' },
];

/** Spellings of the free `disaggregation` text seen before coded dimensions, and their codes. */
const LEGACY_DIMENSIONS: Record<string, string> = { age: 'AGE', ethnic: 'ETHNICITY', ethnicity: 'ETHNICITY', urban: 'URBANISATION', urbanisation: 'URBANISATION', urbanization: 'URBANISATION', residence: 'URBANISATION', area: 'URBANISATION', disability: 'DISABILITY' };
const LEGACY_VALUES: Record<string, Record<string, string>> = {
  ETHNICITY: { minority: 'MINORITY', minorities: 'MINORITY', ethnic_minority: 'MINORITY', kinh: 'KINH', majority: 'KINH' },
  URBANISATION: { urban: 'U', u: 'U', rural: 'R', r: 'R' },
  DISABILITY: { yes: 'DIS', disabled: 'DIS', dis: 'DIS', no: 'NODIS', nodis: 'NODIS', not_disabled: 'NODIS' },
};

/** 'ethnic=minority' → [['ETHNICITY', 'MINORITY']]; null when a part has no known code. */
function legacyPairs(text: string): [string, string][] | null {
  const pairs: [string, string][] = [];
  for (const part of text.split(';')) {
    const [rawKey, rawValue] = part.split('=');
    const dimension = LEGACY_DIMENSIONS[rawKey?.trim().toLowerCase() ?? ''];
    const value = rawValue?.trim() ?? '';
    if (!dimension || !value) return null;
    if (dimension === 'AGE') {
      const age = /^(\d+)\s*[-–]\s*(\d+)$/.exec(value) ?? /^Y(\d+)T(\d+)$/i.exec(value);
      const over = /^(\d+)\s*\+$/.exec(value) ?? /^Y_GE(\d+)$/i.exec(value);
      if (age) pairs.push([dimension, `Y${Number(age[1])}T${Number(age[2])}`]);
      else if (over) pairs.push([dimension, `Y_GE${Number(over[1])}`]);
      else return null;
      continue;
    }
    const code = LEGACY_VALUES[dimension][value.toLowerCase()];
    if (!code) return null;
    pairs.push([dimension, code]);
  }
  return pairs;
}

/** statistics_rollup as 1763900006000 made it, with the cell (`dimensions`) in the key or not. */
function rollupTable(withDimensions: boolean): Table {
  const key = (name: string, type: 'int' | 'varchar', length?: string): TableColumnOptions => ({ name, type, length, isPrimary: true });
  return new Table({
    name: 'statistics_rollup',
    columns: [
      key('indicator_id', 'int'),
      key('unit_id', 'int'),
      key('period', 'varchar', '8'),
      key('scope', 'varchar', '8'),
      key('basis', 'varchar', '8'),
      ...(withDimensions ? [key('dimensions', 'varchar', '64')] : []),
      ...['female', 'male', 'total'].flatMap((sex) => [component(`${sex}_numerator`), component(`${sex}_denominator`), count(`${sex}_rows`)]),
      count('reporting_units'),
    ],
  });
}

interface LegacyText {
  indicatorId: number | string;
  text: string;
}

/**
 * Coded dimensions beyond sex (age group, ethnicity, urban/rural, disability):
 * - `dimension` and `dimension_code` hold the code lists (loaded from data/indicators/dimensions.json);
 * - `indicator.dimension_codes` says which dimensions an indicator is broken down by;
 * - the free `observation.disaggregation` text becomes the canonical key of coded values
 *   ("AGE=Y15T24;URBANISATION=U"); a text that maps to no code stops the migration, before any
 *   change, with the list of such texts, so nothing is dropped or misread;
 * - `statistics_rollup` gains the key in its primary key. It is recreated empty: the server
 *   recomputes every rollup from the observations at its next start (prepareStatistics).
 */
export class CodedDimensions1763900009000 implements MigrationInterface {
  name = 'CodedDimensions1763900009000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Checked before any change: MariaDB cannot roll back DDL, so a refusal must come first.
    const texts = await this.legacyTexts(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'dimension',
        columns: [
          { name: 'code', type: 'varchar', length: '32', isPrimary: true },
          ...NAMED,
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'dimension_code',
        columns: [
          { name: 'dimension', type: 'varchar', length: '32', isPrimary: true },
          { name: 'code', type: 'varchar', length: '32', isPrimary: true },
          ...NAMED,
        ],
      }),
    );
    await queryRunner.addColumn('indicator', new TableColumn({ name: 'dimension_codes', type: 'varchar', length: '200', default: "''" }));
    await this.convertLegacyTexts(queryRunner, texts);
    await queryRunner.dropTable('statistics_rollup');
    await queryRunner.createTable(rollupTable(true));
  }

  private async legacyTexts(queryRunner: QueryRunner): Promise<LegacyText[]> {
    const texts: LegacyText[] = await queryRunner.query(`SELECT DISTINCT indicator_id AS indicatorId, disaggregation AS text FROM observation WHERE disaggregation <> ''`);
    const unknown = [...new Set(texts.filter((t) => !legacyPairs(t.text)).map((t) => `"${t.text}"`))];
    if (unknown.length) {
      throw new Error(`Observations carry disaggregation texts with no coded value: ${unknown.join(', ')}. Rewrite them as DIMENSION=CODE (e.g. ETHNICITY=MINORITY, AGE=Y15T24, URBANISATION=R) and run the migrations again.`);
    }
    return texts;
  }

  private async convertLegacyTexts(queryRunner: QueryRunner, texts: LegacyText[]): Promise<void> {
    const declared = new Map<number, Set<string>>();
    for (const { indicatorId, text } of texts) {
      const pairs = legacyPairs(text) as [string, string][];
      const key = pairs.sort(([a], [b]) => (a < b ? -1 : 1)).map(([d, v]) => `${d}=${v}`).join(';');
      await queryRunner.query(`UPDATE observation SET disaggregation = ? WHERE indicator_id = ? AND disaggregation = ?`, [key, indicatorId, text]);
      const dimensions = declared.get(Number(indicatorId)) ?? new Set<string>();
      pairs.forEach(([d]) => dimensions.add(d));
      declared.set(Number(indicatorId), dimensions);
    }
    for (const [indicatorId, dimensions] of declared) {
      await queryRunner.query(`UPDATE indicator SET dimension_codes = ? WHERE id = ?`, [[...dimensions].sort().join(';'), indicatorId]);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('statistics_rollup');
    await queryRunner.createTable(rollupTable(false));
    await queryRunner.dropColumn('indicator', 'dimension_codes');
    await queryRunner.dropTable('dimension_code');
    await queryRunner.dropTable('dimension');
  }
}

import { MigrationInterface, QueryRunner, Table, TableColumnOptions, TableIndex } from 'typeorm';

const component = (name: string): TableColumnOptions => ({ name, type: 'double', default: 0 });
const count = (name: string): TableColumnOptions => ({ name, type: 'int', default: 0 });

/**
 * Maintained aggregates for statistics whose cost must not grow with the subtree:
 * - statistics_rollup: per unit above the entry level, indicator, period (any granularity the
 *   indicator can be read at), scope (ALL or APPROVED) and basis (hierarchy of the period, or
 *   today's units through the lineage), the summed components per sex and the reporting units.
 * - unit_coverage: how many units of a level lie under a unit, as intervals of validity.
 */
export class StatisticsRollup1763900006000 implements MigrationInterface {
  name = 'StatisticsRollup1763900006000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'statistics_rollup',
        columns: [
          { name: 'indicator_id', type: 'int', isPrimary: true },
          { name: 'unit_id', type: 'int', isPrimary: true },
          { name: 'period', type: 'varchar', length: '8', isPrimary: true },
          { name: 'scope', type: 'varchar', length: '8', isPrimary: true },
          { name: 'basis', type: 'varchar', length: '8', isPrimary: true },
          component('female_numerator'),
          component('female_denominator'),
          count('female_rows'),
          component('male_numerator'),
          component('male_denominator'),
          count('male_rows'),
          component('total_numerator'),
          component('total_denominator'),
          count('total_rows'),
          count('reporting_units'),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'unit_coverage',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'unit_id', type: 'int' },
          { name: 'level', type: 'varchar', length: '16' },
          { name: 'valid_from', type: 'varchar', length: '10', isNullable: true },
          { name: 'valid_to', type: 'varchar', length: '10', isNullable: true },
          { name: 'units', type: 'int' },
        ],
        indices: [new TableIndex({ name: 'ix_unit_coverage_unit', columnNames: ['unit_id', 'level'] })],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('unit_coverage');
    await queryRunner.dropTable('statistics_rollup');
  }
}

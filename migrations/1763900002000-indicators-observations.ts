import { MigrationInterface, QueryRunner, Table, TableColumnOptions, TableIndex } from 'typeorm';

const id: TableColumnOptions = { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' };
const text = (name: string, length: number, nullable = false): TableColumnOptions => ({ name, type: 'varchar', length: String(length), isNullable: nullable });
const component = (name: string, nullable = false): TableColumnOptions => ({ name, type: 'double', isNullable: nullable });

/** The indicator catalogue, observations stored as components, and their revisions. */
export class IndicatorsObservations1763900002000 implements MigrationInterface {
  name = 'IndicatorsObservations1763900002000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'indicator',
        columns: [
          id,
          text('code', 64),
          text('name', 400),
          text('name_en', 400),
          text('domain', 32),
          text('value_type', 16),
          component('factor'),
          text('unit_of_measure', 64),
          text('entry_level', 16),
          { name: 'sex_disaggregated', type: 'boolean', default: false },
          text('temporal_aggregation', 8),
          text('period_type', 8),
          text('numerator_label', 400),
          text('denominator_label', 400, true),
          text('source', 400),
        ],
        indices: [new TableIndex({ name: 'uq_indicator_code', columnNames: ['code'], isUnique: true }), new TableIndex({ name: 'ix_indicator_domain', columnNames: ['domain'] })],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'observation',
        columns: [
          id,
          { name: 'indicator_id', type: 'int' },
          { name: 'unit_id', type: 'int' },
          text('period', 8),
          text('sex', 8),
          { name: 'disaggregation', type: 'varchar', length: '64', default: "''" },
          component('numerator'),
          component('denominator'),
          text('status', 16),
          text('source', 255, true),
          { name: 'version', type: 'int' },
          text('updated_by', 128),
          text('updated_at', 30),
        ],
        indices: [
          new TableIndex({ name: 'uq_observation_key', columnNames: ['indicator_id', 'unit_id', 'period', 'sex', 'disaggregation'], isUnique: true }),
          new TableIndex({ name: 'ix_observation_unit', columnNames: ['unit_id', 'indicator_id', 'period'] }),
        ],
        foreignKeys: [
          { columnNames: ['indicator_id'], referencedTableName: 'indicator', referencedColumnNames: ['id'] },
          { columnNames: ['unit_id'], referencedTableName: 'administrative_unit', referencedColumnNames: ['id'] },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'observation_revision',
        columns: [
          id,
          { name: 'observation_id', type: 'int' },
          component('old_numerator', true),
          component('old_denominator', true),
          text('old_status', 16, true),
          component('new_numerator'),
          component('new_denominator'),
          text('new_status', 16),
          { name: 'version', type: 'int' },
          text('changed_by', 128),
          text('changed_at', 30),
          text('comment', 1000, true),
        ],
        indices: [new TableIndex({ name: 'ix_observation_revision_observation', columnNames: ['observation_id', 'version'] })],
        foreignKeys: [{ columnNames: ['observation_id'], referencedTableName: 'observation', referencedColumnNames: ['id'] }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('observation_revision');
    await queryRunner.dropTable('observation');
    await queryRunner.dropTable('indicator');
  }
}

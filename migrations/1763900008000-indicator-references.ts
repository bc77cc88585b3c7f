import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

/** Official framework codes of each indicator (TT10/2019/TT-BKHĐT, NQ28/NQ-CP, SDG…). */
export class IndicatorReferences1763900008000 implements MigrationInterface {
  name = 'IndicatorReferences1763900008000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'indicator_reference',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'indicator_id', type: 'int' },
          { name: 'framework', type: 'varchar', length: '64' },
          { name: 'code', type: 'varchar', length: '32' },
          { name: 'title', type: 'varchar', length: '400', isNullable: true },
          { name: 'url', type: 'varchar', length: '400', isNullable: true },
        ],
        indices: [
          new TableIndex({ name: 'uq_indicator_reference', columnNames: ['indicator_id', 'framework', 'code'], isUnique: true }),
          new TableIndex({ name: 'ix_indicator_reference_framework', columnNames: ['framework', 'code'] }),
        ],
        foreignKeys: [{ columnNames: ['indicator_id'], referencedTableName: 'indicator', referencedColumnNames: ['id'], onDelete: 'CASCADE' }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('indicator_reference');
  }
}

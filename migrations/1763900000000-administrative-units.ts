import { MigrationInterface, QueryRunner, Table, TableColumnOptions, TableIndex } from 'typeorm';

const id: TableColumnOptions = { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' };
const optionalDate = (name: string): TableColumnOptions => ({ name, type: 'varchar', length: '10', isNullable: true });

export class AdministrativeUnits1763900000000 implements MigrationInterface {
  name = 'AdministrativeUnits1763900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.driver.options.type === 'mysql') {
      // Tables inherit the database charset; Vietnamese text needs utf8mb4 everywhere.
      await queryRunner.query('ALTER DATABASE CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci');
    }
    await queryRunner.createTable(
      new Table({
        name: 'administrative_unit',
        columns: [
          id,
          { name: 'code', type: 'varchar', length: '16' },
          { name: 'level', type: 'varchar', length: '16' },
          { name: 'type', type: 'varchar', length: '32' },
          { name: 'name', type: 'varchar', length: '128' },
          { name: 'full_name', type: 'varchar', length: '160' },
          { name: 'name_en', type: 'varchar', length: '160' },
          { name: 'search_name', type: 'varchar', length: '320' },
          optionalDate('valid_from'),
          optionalDate('valid_to'),
          { name: 'predecessors_text', type: 'text', isNullable: true },
        ],
        indices: [
          new TableIndex({ name: 'uq_unit_code_valid_from', columnNames: ['code', 'valid_from'], isUnique: true }),
          new TableIndex({ name: 'ix_unit_level', columnNames: ['level'] }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'unit_placement',
        columns: [
          id,
          { name: 'unit_id', type: 'int' },
          { name: 'parent_id', type: 'int', isNullable: true },
          { name: 'path', type: 'varchar', length: '255' },
          { name: 'depth', type: 'int' },
          optionalDate('valid_from'),
          optionalDate('valid_to'),
        ],
        indices: [
          new TableIndex({ name: 'ix_unit_placement_path', columnNames: ['path'] }),
          new TableIndex({ name: 'ix_unit_placement_unit', columnNames: ['unit_id'] }),
          new TableIndex({ name: 'ix_unit_placement_parent', columnNames: ['parent_id'] }),
        ],
        foreignKeys: [
          { columnNames: ['unit_id'], referencedTableName: 'administrative_unit', referencedColumnNames: ['id'] },
          { columnNames: ['parent_id'], referencedTableName: 'administrative_unit', referencedColumnNames: ['id'] },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'unit_lineage',
        columns: [
          id,
          { name: 'successor_id', type: 'int' },
          { name: 'predecessor_id', type: 'int' },
          { name: 'partial', type: 'boolean', default: false },
          { name: 'mention', type: 'varchar', length: '255' },
        ],
        indices: [
          new TableIndex({ name: 'ix_unit_lineage_successor', columnNames: ['successor_id'] }),
          new TableIndex({ name: 'ix_unit_lineage_predecessor', columnNames: ['predecessor_id'] }),
        ],
        foreignKeys: [
          { columnNames: ['successor_id'], referencedTableName: 'administrative_unit', referencedColumnNames: ['id'] },
          { columnNames: ['predecessor_id'], referencedTableName: 'administrative_unit', referencedColumnNames: ['id'] },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('unit_lineage');
    await queryRunner.dropTable('unit_placement');
    await queryRunner.dropTable('administrative_unit');
  }
}

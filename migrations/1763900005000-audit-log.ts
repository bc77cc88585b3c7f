import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

export class AuditLog1763900005000 implements MigrationInterface {
  name = 'AuditLog1763900005000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'audit_entry',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'unit_id', type: 'int' },
          { name: 'unit_code', type: 'varchar', length: '16' },
          { name: 'subject', type: 'varchar', length: '128' },
          { name: 'role', type: 'varchar', length: '32' },
          { name: 'operation', type: 'varchar', length: '255' },
          { name: 'input', type: 'text' },
          { name: 'succeeded', type: 'boolean' },
          { name: 'recorded_at', type: 'varchar', length: '30' },
        ],
        indices: [new TableIndex({ name: 'ix_audit_entry_unit', columnNames: ['unit_id', 'id'] })],
        foreignKeys: [{ columnNames: ['unit_id'], referencedTableName: 'administrative_unit', referencedColumnNames: ['id'] }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('audit_entry');
  }
}

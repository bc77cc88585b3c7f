import { MigrationInterface, QueryRunner, Table } from 'typeorm';

/**
 * One version counter per kind of reference data (the indicator catalogue, the hierarchy). Servers
 * cache that data across requests and reload it when the counter moved, so a change made by a CLI
 * in another process is seen by the next request without Redis (server/core/reference-cache.ts).
 */
export class ReferenceVersion1763900013000 implements MigrationInterface {
  name = 'ReferenceVersion1763900013000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'reference_version',
        columns: [
          { name: 'name', type: 'varchar', length: '32', isPrimary: true },
          { name: 'version', type: 'int', default: 0 },
        ],
      }),
    );
    await queryRunner.query(`INSERT INTO reference_version (name, version) VALUES ('catalogue', 0), ('hierarchy', 0)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('reference_version');
  }
}

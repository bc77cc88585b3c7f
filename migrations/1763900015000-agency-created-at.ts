import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/**
 * An agency is placed in the tree on the day it was created (server/auth/row-kinds.ts), so one
 * added today to a unit's place is not read by the sibling that shares the unit's past. Agencies
 * created before keep null, read as today.
 */
export class AgencyCreatedAt1763900015000 implements MigrationInterface {
  name = 'AgencyCreatedAt1763900015000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('agency', new TableColumn({ name: 'created_at', type: 'varchar', length: '30', isNullable: true }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('agency', 'created_at');
  }
}

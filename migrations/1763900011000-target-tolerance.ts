import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/**
 * "khoảng 60%": a target with the APPROXIMATELY comparator is met within a stated tolerance
 * (60 ± 2). Null for every other comparator.
 */
export class TargetTolerance1763900011000 implements MigrationInterface {
  name = 'TargetTolerance1763900011000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('target', new TableColumn({ name: 'tolerance', type: 'double', isNullable: true }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('target', 'tolerance');
  }
}

import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/**
 * An optional plausible range per indicator (e.g. 80–150 boys per 100 girls at birth): a recorded
 * value outside it is applied with a warning, or refused in strict mode. The shipped catalogue
 * fills it in (`npm run db:seed`); null means no range.
 */
export class IndicatorPlausibleRange1763900007300 implements MigrationInterface {
  name = 'IndicatorPlausibleRange1763900007300';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('indicator', [
      new TableColumn({ name: 'plausible_min', type: 'double', isNullable: true }),
      new TableColumn({ name: 'plausible_max', type: 'double', isNullable: true }),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('indicator', 'plausible_max');
    await queryRunner.dropColumn('indicator', 'plausible_min');
  }
}

import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/**
 * Plans as officials keep them: the signer's capacity, the general objective, the issuing
 * decision, further upper-level documents and the distribution list on a plan; collective
 * agencies ("các sở, ban, ngành"); and why a plan part was changed or deleted.
 */
export class PlanEditing1763900010000 implements MigrationInterface {
  name = 'PlanEditing1763900010000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('plan', [
      new TableColumn({ name: 'signer_capacity', type: 'varchar', length: '255', isNullable: true }),
      new TableColumn({ name: 'general_objective', type: 'text', isNullable: true }),
      new TableColumn({ name: 'issuing_decision', type: 'text', isNullable: true }),
      new TableColumn({ name: 'also_implements', type: 'text', isNullable: true }),
      new TableColumn({ name: 'distribution_list', type: 'text', isNullable: true }),
    ]);
    await queryRunner.addColumn('agency', new TableColumn({ name: 'collective', type: 'boolean', default: false }));
    await queryRunner.addColumn('plan_revision', new TableColumn({ name: 'reason', type: 'text', isNullable: true }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('plan_revision', 'reason');
    await queryRunner.dropColumn('agency', 'collective');
    for (const column of ['distribution_list', 'also_implements', 'issuing_decision', 'general_objective', 'signer_capacity']) await queryRunner.dropColumn('plan', column);
  }
}

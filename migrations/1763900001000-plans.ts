import { MigrationInterface, QueryRunner, Table, TableColumnOptions, TableIndex } from 'typeorm';

const id: TableColumnOptions = { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' };
const int = (name: string, isNullable = false): TableColumnOptions => ({ name, type: 'int', isNullable });
const str = (name: string, length: number, isNullable = false): TableColumnOptions => ({ name, type: 'varchar', length: String(length), isNullable });
const text = (name: string, isNullable = false): TableColumnOptions => ({ name, type: 'text', isNullable });
const num = (name: string): TableColumnOptions => ({ name, type: 'double', isNullable: true });
const date = (name: string): TableColumnOptions => str(name, 10, true);
/** Every tenant table carries its owning unit. */
const unitId = int('unit_id');
const unitFk = { columnNames: ['unit_id'], referencedTableName: 'administrative_unit', referencedColumnNames: ['id'] };
const planFk = { columnNames: ['plan_id'], referencedTableName: 'plan', referencedColumnNames: ['id'] };
const index = (table: string, ...columnNames: string[]) => new TableIndex({ name: `ix_${table}_${columnNames.join('_')}`, columnNames });

/** Plans, their objectives, targets, tasks, agencies, responsibilities, reporting obligations, submissions and revisions. */
export class Plans1763900001000 implements MigrationInterface {
  name = 'Plans1763900001000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'plan',
        columns: [
          id,
          unitId,
          str('number', 64, true),
          text('title'),
          str('kind', 16),
          int('first_year'),
          int('last_year'),
          date('issued_on'),
          str('issued_place', 128, true),
          str('signer', 255, true),
          str('status', 16),
          str('implements_number', 64, true),
          date('implements_issued_on'),
          str('implements_issuer', 255, true),
          text('implements_title', true),
          text('legal_bases'),
          text('purposes'),
          text('requirements'),
          text('budget_sources'),
          str('seed_key', 64, true),
          str('created_at', 30),
          str('updated_at', 30),
        ],
        indices: [new TableIndex({ name: 'ix_plan_unit', columnNames: ['unit_id'] }), new TableIndex({ name: 'ix_plan_implements', columnNames: ['implements_number'] })],
        foreignKeys: [unitFk],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'agency',
        columns: [id, unitId, str('agency_key', 64), str('name', 255), str('kind', 32)],
        indices: [new TableIndex({ name: 'uq_agency_unit_key', columnNames: ['unit_id', 'agency_key'], isUnique: true })],
        foreignKeys: [unitFk],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'objective',
        columns: [id, unitId, int('plan_id'), int('ordinal'), text('title'), str('domain', 32)],
        indices: [index('objective', 'plan_id'), index('objective', 'unit_id')],
        foreignKeys: [unitFk, planFk],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'target',
        columns: [
          id,
          unitId,
          int('plan_id'),
          int('objective_id'),
          int('ordinal'),
          str('label', 64, true),
          text('text'),
          str('indicator_code', 64, true),
          str('measure', 32, true),
          str('comparator', 16, true),
          num('target_value'),
          int('due_year', true),
          int('baseline_year', true),
          num('baseline_value'),
          text('milestones'),
          str('period_type', 16, true),
        ],
        indices: [index('target', 'objective_id'), index('target', 'plan_id'), index('target', 'unit_id'), index('target', 'indicator_code')],
        foreignKeys: [unitFk, planFk, { columnNames: ['objective_id'], referencedTableName: 'objective', referencedColumnNames: ['id'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'task',
        columns: [
          id,
          unitId,
          int('plan_id'),
          int('ordinal'),
          text('group_title', true),
          text('title'),
          text('description'),
          text('objective_ordinals'),
          str('schedule_kind', 16, true),
          date('schedule_from'),
          date('schedule_to'),
          text('schedule_days'),
          int('lead_agency_id', true),
          text('partner_agency_ids'),
          text('quantity', true),
          str('status', 16, true),
        ],
        indices: [index('task', 'plan_id'), index('task', 'unit_id')],
        foreignKeys: [unitFk, planFk, { columnNames: ['lead_agency_id'], referencedTableName: 'agency', referencedColumnNames: ['id'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'responsibility',
        columns: [id, unitId, int('plan_id'), int('agency_id'), str('role', 32), text('duties'), text('objective_ordinals'), text('target_labels')],
        indices: [index('responsibility', 'plan_id'), index('responsibility', 'agency_id'), index('responsibility', 'unit_id')],
        foreignKeys: [unitFk, planFk, { columnNames: ['agency_id'], referencedTableName: 'agency', referencedColumnNames: ['id'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'reporting_obligation',
        columns: [id, unitId, int('plan_id'), str('kind', 16), int('reporter_agency_id', true), str('recipient', 255), int('due_day', true), int('due_month', true), date('due_date'), int('year', true), text('description')],
        indices: [index('reporting_obligation', 'plan_id'), index('reporting_obligation', 'unit_id')],
        foreignKeys: [unitFk, planFk, { columnNames: ['reporter_agency_id'], referencedTableName: 'agency', referencedColumnNames: ['id'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'submission',
        columns: [id, unitId, int('obligation_id'), str('period', 16), str('submitted_at', 30), str('submitted_by', 128), text('note', true)],
        indices: [index('submission', 'obligation_id'), index('submission', 'unit_id')],
        foreignKeys: [unitFk, { columnNames: ['obligation_id'], referencedTableName: 'reporting_obligation', referencedColumnNames: ['id'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'plan_revision',
        columns: [id, unitId, int('plan_id'), str('changed_at', 30), str('changed_by', 128), str('action', 64), str('entity_type', 32), int('entity_id'), str('field', 64, true), text('old_value', true), text('new_value', true)],
        indices: [index('plan_revision', 'plan_id'), index('plan_revision', 'unit_id')],
        foreignKeys: [unitFk, planFk],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['plan_revision', 'submission', 'reporting_obligation', 'responsibility', 'task', 'target', 'objective', 'agency', 'plan']) {
      await queryRunner.dropTable(table);
    }
  }
}

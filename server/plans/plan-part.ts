import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A row of the plan domain owned by a unit. `unit_id` is the plan's unit copied onto every part,
 * so the access layer restricts any part by its own column, without a join to the plan.
 */
export abstract class UnitOwnedRow {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'unit_id', type: 'int' })
  unitId: number;
}

/** A part of one plan (objective, target, task, responsibility, obligation, revision). */
export abstract class PlanPartRow extends UnitOwnedRow {
  @Column({ name: 'plan_id', type: 'int' })
  planId: number;
}

/**
 * The table of a plan part with its indexes on `unit_id` and, for a PlanPartRow, `plan_id`, named
 * `ix_<table>_<column>` exactly as the migrations created them (an entity change, not a schema change).
 */
export function PlanPartEntity(table: string, options: { byPlan: boolean } = { byPlan: true }): ClassDecorator {
  return (target) => {
    Entity(table)(target);
    if (options.byPlan) Index(`ix_${table}_plan_id`, ['planId'])(target);
    Index(`ix_${table}_unit_id`, ['unitId'])(target);
  };
}

import { Field, ObjectType } from 'type-graphql';
import { Column, Entity, Index } from 'typeorm';
import { Node, toGlobalId } from '../core/node';
import { UnitOwnedRow } from './plan-part';
import { AgencyKind } from './plan.enums';

/** A body inside a unit that receives responsibilities (a division, the police, the Women's Union…). */
@ObjectType('Agency', { implements: Node, description: 'A body inside a unit that receives responsibilities' })
@Entity('agency')
@Index('uq_agency_unit_key', ['unitId', 'key'], { unique: true })
export class Agency extends UnitOwnedRow {
  get globalId(): string {
    return toGlobalId('Agency', this.id);
  }

  @Field({ description: 'Stable key within its unit, e.g. "phong-kinh-te"' })
  @Column({ name: 'agency_key', type: 'varchar', length: 64 })
  key: string;

  @Field()
  @Column({ type: 'varchar', length: 255 })
  name: string;

  @Field(() => AgencyKind)
  @Column({ type: 'varchar', length: 32 })
  kind: AgencyKind;

  @Field({ description: 'One entry naming several bodies, e.g. "các sở, ban, ngành", "UBND các xã, phường"' })
  @Column({ type: 'boolean', default: false })
  collective: boolean;

  /** The agency's day for the access rule (row-kinds.ts); null for agencies added before it was kept. */
  @Column({ name: 'created_at', type: 'varchar', length: 30, nullable: true })
  createdAt: string | null;
}

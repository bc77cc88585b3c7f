import { Field, ObjectType } from 'type-graphql';
import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { Node, toGlobalId } from '../core/node';
import { DateScalar } from '../core/scalars';
import { UnitLevel } from './unit-level';

/**
 * A tenant: an administrative unit during the time it exists. A code names a unit only at a
 * point in time (06601 is the old xã Lợi Bác until 2025-06-30 and the enlarged one since), so the
 * key is (code, validFrom), and where a unit sits in the tree is kept in UnitPlacement.
 */
@ObjectType('AdministrativeUnit', { implements: Node, description: 'An administrative unit (đơn vị hành chính) during its period of validity' })
@Entity('administrative_unit')
@Index('uq_unit_code_valid_from', ['code', 'validFrom'], { unique: true })
export class AdministrativeUnit {
  get globalId(): string {
    return toGlobalId('AdministrativeUnit', this.id);
  }

  @PrimaryGeneratedColumn()
  id: number;

  @Field({ description: 'GSO code (mã đơn vị hành chính); villages get the commune code plus a sequence' })
  @Column({ type: 'varchar', length: 16 })
  code: string;

  @Field(() => UnitLevel)
  @Column({ type: 'varchar', length: 16 })
  level: UnitLevel;

  @Field({ description: 'Kind as named in Vietnamese: Tỉnh, Thành phố, Huyện, Xã, Phường, Thôn, Tổ dân phố, …' })
  @Column({ type: 'varchar', length: 32 })
  type: string;

  @Field({ description: 'Short name, e.g. "Lợi Bác"' })
  @Column({ type: 'varchar', length: 128 })
  name: string;

  @Field({ description: 'Name with its type, e.g. "Xã Lợi Bác"' })
  @Column({ name: 'full_name', type: 'varchar', length: 160 })
  fullName: string;

  @Field({ description: 'Name without diacritics as published in English' })
  @Column({ name: 'name_en', type: 'varchar', length: 160 })
  nameEn: string;

  /** Name folded to lower case without diacritics, for accent-insensitive search. */
  @Column({ name: 'search_name', type: 'varchar', length: 320 })
  searchName: string;

  @Field(() => DateScalar, { nullable: true, description: 'First day in force; null when it predates the records' })
  @Column({ name: 'valid_from', type: 'varchar', length: 10, nullable: true })
  validFrom: string | null;

  @Field(() => DateScalar, { nullable: true, description: 'Last day in force; null while in force' })
  @Column({ name: 'valid_to', type: 'varchar', length: 10, nullable: true })
  validTo: string | null;

  @Field(() => String, { nullable: true, description: 'The reorganisation text naming what formed this unit, as published' })
  @Column({ name: 'predecessors_text', type: 'text', nullable: true })
  predecessorsText: string | null;

  /** Not stored: the date this copy was read at, which its parent, children and ancestors follow. */
  @Field(() => DateScalar, { description: 'The date at which parent, children and ancestors are read' })
  asOf: string;
}

/** A copy of the unit read at `date` (kept inside its lifetime); loaders share the original. */
export function unitAt(unit: AdministrativeUnit, date: string): AdministrativeUnit {
  return Object.assign(Object.create(AdministrativeUnit.prototype) as AdministrativeUnit, unit, { asOf: dateWithinValidity(unit, date) });
}

/** The date at which to read a unit's surroundings: the date asked for, kept inside the unit's lifetime. */
export function dateWithinValidity(unit: AdministrativeUnit, date: string): string {
  if (unit.validTo && unit.validTo < date) return unit.validTo;
  if (unit.validFrom && unit.validFrom > date) return unit.validFrom;
  return date;
}

export interface Validity {
  validFrom: string | null;
  validTo: string | null;
}

export function isValidOn(item: Validity, date: string): boolean {
  return (!item.validFrom || item.validFrom <= date) && (!item.validTo || item.validTo >= date);
}

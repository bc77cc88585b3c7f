import { Args, Ctx, FieldResolver, ObjectType, Query, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../request-context';
import { ConnectionType } from '../core/pagination';
import { AdministrativeUnit } from './administrative-unit.entity';
import { UnitArgs, UnitsArgs } from './unit.inputs';
import * as units from './unit.service';

@ObjectType()
export class UnitConnection extends ConnectionType(AdministrativeUnit, 'Unit') {}

@Resolver(() => AdministrativeUnit)
export class UnitResolver {
  @Query(() => AdministrativeUnit, { nullable: true, description: 'A unit by code; null when it does not exist or is outside your subtree' })
  unit(@Ctx() ctx: RequestContext, @Args() { code, asOf }: UnitArgs): Promise<AdministrativeUnit | null> {
    return units.findUnitByCode(ctx, code, asOf ?? ctx.today);
  }

  @Query(() => UnitConnection, { description: 'Units of your subtree in force on asOf (default today)' })
  units(@Ctx() ctx: RequestContext, @Args() args: UnitsArgs): Promise<UnitConnection> {
    return units.listUnits(ctx, args);
  }

  @FieldResolver(() => AdministrativeUnit, { nullable: true, description: 'Parent on asOf; null at the top of your subtree' })
  parent(@Ctx() ctx: RequestContext, @Root() unit: AdministrativeUnit): Promise<AdministrativeUnit | null> {
    return units.parentOf(ctx, unit);
  }

  @FieldResolver(() => [AdministrativeUnit], { description: 'Children on asOf, by code' })
  children(@Ctx() ctx: RequestContext, @Root() unit: AdministrativeUnit): Promise<AdministrativeUnit[]> {
    return units.childrenOf(ctx, unit);
  }

  @FieldResolver(() => [AdministrativeUnit], { description: 'Ancestors on asOf inside your subtree, the highest first' })
  ancestors(@Ctx() ctx: RequestContext, @Root() unit: AdministrativeUnit): Promise<AdministrativeUnit[]> {
    return units.ancestorsOf(ctx, unit);
  }

  @FieldResolver(() => [AdministrativeUnit], { description: 'Units this one was formed from in the 2025 reorganisation' })
  predecessors(@Ctx() ctx: RequestContext, @Root() unit: AdministrativeUnit): Promise<AdministrativeUnit[]> {
    return units.predecessorsOf(ctx, unit);
  }

  @FieldResolver(() => [AdministrativeUnit], { description: 'Units formed (wholly or partly) from this one in the 2025 reorganisation' })
  successors(@Ctx() ctx: RequestContext, @Root() unit: AdministrativeUnit): Promise<AdministrativeUnit[]> {
    return units.successorsOf(ctx, unit);
  }
}

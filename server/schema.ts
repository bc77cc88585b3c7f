import 'reflect-metadata';
import { GraphQLSchema } from 'graphql';
import { ErrorCodeEnum } from './core/error-catalogue';
import { buildSchema, NonEmptyArray } from 'type-graphql';
import { AuditResolver } from './audit/audit.resolver';
import { AuthResolver } from './auth/auth.resolver';
import { DateScalar } from './core/scalars';
import { UnitResolver } from './tenancy/unit.resolver';
import { IndicatorResolver } from './indicators/indicator.resolver';
import { ObservationResolver } from './observations/observation.resolver';
import { planResolvers } from './plans/plan.resolver';
import { StatisticsResolver } from './statistics/statistics.resolver';
import { TargetProgressResolver } from './statistics/target-progress.resolver';
import { CompletenessResolver } from './statistics/completeness.resolver';
import { NodeResolver } from './node.resolver';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const resolvers: NonEmptyArray<Function> = [NodeResolver, AuthResolver, AuditResolver, UnitResolver, IndicatorResolver, ObservationResolver, ...planResolvers, StatisticsResolver, TargetProgressResolver, CompletenessResolver];

let cached: Promise<GraphQLSchema> | null = null;

/**
 * The schema is built from the decorated classes, plus the error catalogue as the ErrorCode enum
 * (no field returns it, so it is added by hand); schema/schema.graphql is generated from it.
 */
export function buildAppSchema(): Promise<GraphQLSchema> {
  cached ??= buildSchema({ resolvers, scalarsMap: [{ type: Date, scalar: DateScalar }], validate: false }).then((schema) => {
    const config = schema.toConfig();
    return new GraphQLSchema({ ...config, types: [...config.types, ErrorCodeEnum] });
  });
  return cached;
}

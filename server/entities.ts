import { AdministrativeUnit } from './tenancy/administrative-unit.entity';
import { UnitLineage } from './tenancy/unit-lineage.entity';
import { UnitPlacement } from './tenancy/unit-placement.entity';
import { Indicator } from './indicators/indicator.entity';
import { IndicatorReference } from './indicators/indicator-reference.entity';
import { Dimension } from './indicators/dimension.entity';
import { DimensionCode } from './indicators/dimension-code.entity';
import { Observation } from './observations/observation.entity';
import { ObservationRevision } from './observations/observation-revision.entity';
import { planEntities } from './plans/plan-entities';
import { AuditEntry } from './audit/audit-entry.entity';

/** Every TypeORM entity of the application. */
export const entities = [AdministrativeUnit, UnitPlacement, UnitLineage, Indicator, IndicatorReference, Dimension, DimensionCode, Observation, ObservationRevision, ...planEntities, AuditEntry];

import { AdministrativeUnit } from './tenancy/administrative-unit.entity';
import { UnitLineage } from './tenancy/unit-lineage.entity';
import { UnitPlacement } from './tenancy/unit-placement.entity';

/** Every TypeORM entity of the application. */
export const entities = [AdministrativeUnit, UnitPlacement, UnitLineage];

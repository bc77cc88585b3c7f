import { AdministrativeUnits1763900000000 } from './1763900000000-administrative-units';
import { Plans1763900001000 } from './1763900001000-plans';
import { IndicatorsObservations1763900002000 } from './1763900002000-indicators-observations';
import { AuditLog1763900005000 } from './1763900005000-audit-log';
import { StatisticsRollup1763900006000 } from './1763900006000-statistics-rollup';
import { IndicatorPlausibleRange1763900007300 } from './1763900007300-indicator-plausible-range';
import { IndicatorReferences1763900008000 } from './1763900008000-indicator-references';
import { CodedDimensions1763900009000 } from './1763900009000-coded-dimensions';
import { PlanEditing1763900010000 } from './1763900010000-plan-editing';
import { TargetTolerance1763900011000 } from './1763900011000-target-tolerance';
import { ReferenceVersion1763900013000 } from './1763900013000-reference-version';
import { DataVersion1763900014000 } from './1763900014000-data-version';
import { AgencyCreatedAt1763900015000 } from './1763900015000-agency-created-at';

/** Every migration, oldest first. Migrations are never edited once they land: add a new one. */
export const migrations = [AdministrativeUnits1763900000000, Plans1763900001000, IndicatorsObservations1763900002000, AuditLog1763900005000, StatisticsRollup1763900006000, IndicatorPlausibleRange1763900007300, IndicatorReferences1763900008000, CodedDimensions1763900009000, PlanEditing1763900010000, TargetTolerance1763900011000, ReferenceVersion1763900013000, DataVersion1763900014000, AgencyCreatedAt1763900015000];

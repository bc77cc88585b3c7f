import { PLAN_PARTS } from './core/list-bounds';
import type { LimitOverrides } from './core/input-limits';
import { MAX_BATCH, MAX_COMMENT, MAX_STATUS_IDS } from './observations/observation.service';

/** A plan's text lists are stored as JSON in one TEXT column: 30 lines of at most 500 characters fit it. */
const PLAN_LIST = { items: 30 };

/**
 * The places whose maximum is not their kind's or the list default (core/input-limits.ts): lists
 * the domains bound already, and texts stored in narrower columns. Here, above the domains, as
 * request-context.ts is, because core/ imports none of them.
 */
export const INPUT_LIMIT_OVERRIDES: LimitOverrides = {
  'Mutation.recordObservations(input)': { items: MAX_BATCH },
  'Mutation.submitObservations(ids)': { items: MAX_STATUS_IDS },
  'Mutation.approveObservations(ids)': { items: MAX_STATUS_IDS },
  'Mutation.submitObservations(comment)': { characters: MAX_COMMENT },
  'Mutation.approveObservations(comment)': { characters: MAX_COMMENT },
  'ObservationInput.comment': { characters: MAX_COMMENT },
  ...Object.fromEntries(
    ['CreatePlanInput', 'UpdatePlanInput'].flatMap((input) => [
      ...['legalBases', 'purposes', 'requirements', 'budgetSources', 'distributionList'].map((list) => [`${input}.${list}`, PLAN_LIST]),
      [`${input}.alsoImplements`, { items: PLAN_PARTS.upperDocuments }],
      [`${input}.issuedPlace`, { characters: 128 }],
    ]),
  ),
  'TargetInput.milestones': { items: PLAN_PARTS.milestones },
  'UpdateTargetInput.milestones': { items: PLAN_PARTS.milestones },
  'TaskInput.partnerAgencies': { items: PLAN_PARTS.agencies },
  'UpdateTaskInput.partnerAgencies': { items: PLAN_PARTS.agencies },
  'TaskInput.objectiveOrdinals': { items: PLAN_PARTS.objectives },
  'UpdateTaskInput.objectiveOrdinals': { items: PLAN_PARTS.objectives },
  'ResponsibilityInput.objectiveOrdinals': { items: PLAN_PARTS.objectives },
  'UpdateResponsibilityInput.objectiveOrdinals': { items: PLAN_PARTS.objectives },
  'ResponsibilityInput.targetLabels': { items: PLAN_PARTS.targets },
  'UpdateResponsibilityInput.targetLabels': { items: PLAN_PARTS.targets },
  'TaskScheduleInput.days': { items: 366 },
};

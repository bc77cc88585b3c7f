import { Agency } from './agency.entity';
import { Objective } from './objective.entity';
import { PlanRevision } from './plan-revision.entity';
import { Plan } from './plan.entity';
import { ReportingObligation } from './reporting-obligation.entity';
import { Responsibility } from './responsibility.entity';
import { Submission } from './submission.entity';
import { Target } from './target.entity';
import { Task } from './task.entity';

/** Every entity of the plan domain. */
export const planEntities = [Plan, Agency, Objective, Target, Task, Responsibility, ReportingObligation, Submission, PlanRevision];

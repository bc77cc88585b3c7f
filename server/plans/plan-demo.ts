import fs from 'node:fs';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { PROJECT_ROOT } from '../core/config';
import { validOnSql } from '../core/sql';
import { Domain, PeriodType } from '../indicators/indicator-enums';
import { Indicator } from '../indicators/indicator.entity';
import { AdministrativeUnit } from '../tenancy/administrative-unit.entity';
import { Agency } from './agency.entity';
import { Objective } from './objective.entity';
import { Plan } from './plan.entity';
import { AgencyKind, Comparator, Measure, PlanKind, PlanStatus, ReportKind, ResponsibilityRole, ScheduleKind } from './plan.enums';
import { ReportingObligation } from './reporting-obligation.entity';
import { Responsibility } from './responsibility.entity';
import type { SeedPlan, SeedSchedule } from './seed-plan.types';
import { Target } from './target.entity';
import { Task } from './task.entity';
import { validateTarget } from './target-validation';

export const SEED_PLAN_DIR = path.join(PROJECT_ROOT, 'data', 'seeds', 'plans');

export function readSeedPlans(dir = SEED_PLAN_DIR): SeedPlan[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as SeedPlan);
}

function scheduleColumns(s: SeedSchedule | null): Pick<Task, 'scheduleKind' | 'scheduleFrom' | 'scheduleTo' | 'scheduleDays'> {
  const none = { scheduleKind: null, scheduleFrom: null, scheduleTo: null, scheduleDays: [] };
  if (!s) return none;
  switch (s.kind) {
    case 'DATE_RANGE':
      return { ...none, scheduleKind: ScheduleKind.DATE_RANGE, scheduleFrom: s.from, scheduleTo: s.to };
    case 'YEARLY_RANGE':
      return { ...none, scheduleKind: ScheduleKind.YEARLY_RANGE, scheduleDays: [{ day: s.fromDay, month: s.fromMonth }, { day: s.toDay, month: s.toMonth }] };
    case 'FIXED_DAYS':
      return { ...none, scheduleKind: ScheduleKind.FIXED_DAYS, scheduleDays: s.days.map((d) => ({ day: d.day, month: d.month })) };
    default:
      return { ...none, scheduleKind: ScheduleKind.CONTINUOUS };
  }
}

/**
 * Loads the five transcribed seed plans (data/seeds/plans) onto their units, with their agencies
 * (which belong to the plan's unit), objectives, targets, tasks, responsibilities and reporting
 * obligations, in one transaction. Targets are validated as the API would validate them.
 */
export async function loadDemoPlans(dataSource: DataSource, seeds = readSeedPlans()): Promise<number> {
  return dataSource.transaction(async (manager) => {
    const indicators = new Map((await manager.getRepository(Indicator).find()).map((i) => [i.code, i]));
    const at = new Date().toISOString();
    for (const seed of seeds) {
      const unit = await manager
        .getRepository(AdministrativeUnit)
        .createQueryBuilder('u')
        .where('u.code = :code', { code: seed.unitCode })
        .andWhere(validOnSql('u', 'date'), { date: seed.unitAsOf })
        .getOne();
      if (!unit) throw new Error(`Seed plan ${seed.key}: no unit ${seed.unitCode} on ${seed.unitAsOf}`);
      const unitId = unit.id;

      const agencyRepo = manager.getRepository(Agency);
      const existing = new Map((await agencyRepo.findBy({ unitId })).map((a) => [a.key, a]));
      const fresh = seed.agencies.filter((a) => !existing.has(a.key)).map((a) => agencyRepo.create({ unitId, key: a.key, name: a.name, kind: a.kind as AgencyKind, collective: a.collective ?? false }));
      for (const a of await agencyRepo.save(fresh)) existing.set(a.key, a);
      const agencyId = (key: string) => {
        const agency = existing.get(key);
        if (!agency) throw new Error(`Seed plan ${seed.key}: unknown agency ${key}`);
        return agency.id;
      };

      const plan = await manager.getRepository(Plan).save(
        manager.getRepository(Plan).create({
          unitId,
          number: seed.number,
          title: seed.title,
          kind: seed.kind as PlanKind,
          firstYear: seed.firstYear,
          lastYear: seed.lastYear,
          issuedOn: seed.issuedOn,
          issuedPlace: seed.issuedPlace,
          signer: seed.signer,
          signerCapacity: seed.signerCapacity ?? null,
          generalObjective: seed.generalObjective ?? null,
          issuingDecision: seed.issuingDecision ?? null,
          alsoImplements: seed.alsoImplements ?? [],
          distributionList: seed.distributionList ?? [],
          status: seed.status as PlanStatus,
          implementsNumber: seed.implements?.number ?? null,
          implementsIssuedOn: seed.implements?.issuedOn ?? null,
          implementsIssuer: seed.implements?.issuer ?? null,
          implementsTitle: seed.implements?.title ?? null,
          legalBases: seed.legalBases,
          purposes: seed.purposes,
          requirements: seed.requirements,
          budgetSources: seed.budgetSources,
          seedKey: seed.key,
          createdAt: at,
          updatedAt: at,
        }),
      );
      const common = { unitId, planId: plan.id };

      const objectiveRepo = manager.getRepository(Objective);
      const objectives = await objectiveRepo.save(seed.objectives.map((o) => objectiveRepo.create({ ...common, ordinal: o.ordinal, title: o.title, domain: o.domain as Domain })));
      const targetRepo = manager.getRepository(Target);
      const targets = seed.objectives.flatMap((o, i) =>
        o.targets.map((t) => {
          const fields = {
            indicatorCode: t.indicator,
            measure: t.measure as Measure | null,
            comparator: t.comparator as Comparator | null,
            targetValue: t.targetValue,
            tolerance: t.tolerance ?? null,
            dueYear: t.dueYear,
            baselineYear: t.baseline?.year ?? null,
            baselineValue: t.baseline?.value ?? null,
            milestones: t.milestones,
            periodType: t.periodType as PeriodType | null,
          };
          try {
            validateTarget(fields, plan, (code) => indicators.get(code), { text: t.text, measureStated: t.measure !== null });
          } catch (error) {
            throw new Error(`Seed plan ${seed.key}, target ${o.ordinal}.${t.ordinal}: ${(error as Error).message}`);
          }
          return targetRepo.create({ ...common, objectiveId: objectives[i].id, ordinal: t.ordinal, label: t.label, text: t.text, ...fields });
        }),
      );
      await targetRepo.save(targets);

      const taskRepo = manager.getRepository(Task);
      await taskRepo.save(
        seed.tasks.map((t) =>
          taskRepo.create({
            ...common,
            ordinal: t.ordinal,
            group: t.group,
            title: t.title,
            description: t.description,
            objectiveOrdinals: t.objectiveOrdinals,
            ...scheduleColumns(t.schedule),
            leadAgencyId: t.leadAgency ? agencyId(t.leadAgency) : null,
            partnerAgencyIds: t.partnerAgencies.map(agencyId),
            quantity: t.quantity ? JSON.stringify(t.quantity) : null,
            status: null,
          }),
        ),
      );
      const responsibilityRepo = manager.getRepository(Responsibility);
      await responsibilityRepo.save(
        seed.responsibilities.map((r) =>
          responsibilityRepo.create({ ...common, agencyId: agencyId(r.agency), role: r.role as ResponsibilityRole, duties: r.duties, objectiveOrdinals: r.objectiveOrdinals, targetLabels: r.targetLabels }),
        ),
      );
      const obligationRepo = manager.getRepository(ReportingObligation);
      await obligationRepo.save(
        seed.reportingObligations.map((o) =>
          obligationRepo.create({
            ...common,
            kind: o.kind as ReportKind,
            reporterAgencyId: o.reporter ? agencyId(o.reporter) : null,
            recipient: o.recipient,
            dueDay: o.dueDay,
            dueMonth: o.dueMonth,
            dueDate: o.dueDate,
            year: o.year,
            description: o.description,
          }),
        ),
      );
    }
    return seeds.length;
  });
}

import { DataSource } from 'typeorm';
import { rowIdOf } from './global-id';
import { referenceCache } from './reference-cache';
import { outsideRequestScope } from './request-scope';

/**
 * How many items each list of the schema can hold, so the query cost of a list is the size it
 * can really have and a nested query (`children { parent { children … } }`) is refused before it
 * runs. Every list of objects in the schema has an entry here (test/e2e/limits.e2e.test.ts walks
 * the schema to prove it); a field that is not a list but returns one per argument (statistics
 * rows) has one too.
 *
 * The hierarchy and the catalogue change seldom, by CLI: their bounds are read from the data and
 * read again after a change (currentBounds). Objectives, targets and tasks are capped where they
 * are added (PLAN_PARTS). The other lists grow with use (histories, submissions): their bounds are
 * what they hold in practice, with room; a query that outgrows them meets the second wall, the
 * caps on resolved fields and on the size of an answer (query-limits.ts).
 */
export interface HierarchyBounds {
  /** The most units ever placed under one parent (a province's 168 communes). */
  children: number;
  /** The deepest placement plus one. */
  ancestors: number;
  predecessors: number;
  successors: number;
  /** The most units at one level on any date (every village of the country). */
  unitsAtLevel: number;
  indicators: number;
  /** The most plans implementing one upper-level plan. */
  implementingPlans: number;
  /** Per unit code (any of its versions): the most children, and the most units of each level below it at any date. */
  below: Map<string, { children: number; levels: Map<string, number> }>;
  /** The unit code of each plan that existed at start-up (a newer plan is counted at the largest unit). */
  planUnits: Map<string, string>;
  /** Codes in each dimension's list, and the longest list. */
  codes: Map<string, number>;
  mostCodes: number;
  /** What the data hold (read again every DATA_BOUNDS_MAX_AGE_MS): what a count or a nested list really reads. */
  data: DataBounds;
}

/**
 * Sizes read from the data: the rows a count over a subtree reads, and the longest lists plans
 * hold. Read again every DATA_BOUNDS_MAX_AGE_MS, not at each write: data written meanwhile is
 * costed by the sizes read last, and what they underestimate meets the walls behind the cost
 * (resolved fields, answer size, and the request's deadline, which stops its statements).
 */
export interface DataBounds {
  observations: number;
  /** Per unit code (all its versions): observations of the unit, and of the unit and every unit ever placed below it. */
  observationsOf: Map<string, number>;
  observationsUnder: Map<string, number>;
  /** Per indicator code. */
  observationsOfIndicator: Map<string, number>;
  /** Placements (a unit once per place it has held) and plans. */
  placements: number;
  plans: number;
  /** The longest list of each kind in any plan. */
  planParts: { objectives: number; targetsPerObjective: number; targets: number; tasks: number; responsibilities: number; obligations: number; milestones: number };
}

type Args = Record<string, unknown>;
export type ListBound = number | ((args: Args, hierarchy: HierarchyBounds) => number);

const length = (value: unknown) => (Array.isArray(value) ? value.length : 1);

/** Row units of a breakdown under `area`: its children, or its units at `level`; the largest anywhere when the area is not known. */
function rowUnits(h: HierarchyBounds, area: unknown, breakdown: unknown, level: unknown): number {
  if (breakdown === 'NONE') return 1;
  const below = typeof area === 'string' ? h.below.get(area.trim()) : undefined;
  if (typeof area === 'string' && !below) return 1; // an unknown area answers no rows
  if (breakdown === 'LEVEL') return below ? (below.levels.get(String(level)) ?? 1) : h.unitsAtLevel;
  return below ? Math.max(1, below.children) : h.children;
}

/** Rows per unit and period of a `by` breakdown: the product of the named dimensions' code lists (an unknown one answers an error). */
function cells(h: HierarchyBounds, by: unknown): number {
  if (!Array.isArray(by)) return 1;
  return by.reduce((product: number, d) => product * (h.codes.get(String(d).trim().toUpperCase()) ?? 1), 1);
}

/**
 * What a plan may hold: objectives, targets per objective and tasks are refused beyond these
 * (plan.service.ts); the rest is what plans hold in practice, with room. The five seed plans hold
 * at most 7 objectives, 8 targets in one objective and 31 tasks.
 */
export const PLAN_PARTS = {
  objectives: 20,
  targetsPerObjective: 30,
  targets: 20 * 30,
  tasks: 200,
  responsibilities: 50,
  obligations: 20,
  revisions: 1000,
  milestones: 20,
  /** Upper-level documents a plan implements besides the first. */
  upperDocuments: 20,
  agencies: 100,
  plansOfUnit: 100,
  submissions: 1000,
};
/** Dimensions beyond sex of one indicator; a catalogue import refuses more (each at least doubles the rollup rows per observation). */
export const MAX_DIMENSIONS = 3;
/** Framework codes of one indicator; a catalogue import refuses more. */
export const MAX_REFERENCES = 20;
/** Revisions of one observation: every write and status change adds one. */
const OBSERVATION_REVISIONS = 100;

/**
 * A plan list's bound: twice the longest such list any plan holds (room for plans edited until
 * the sizes are read again), at least PLAN_PART_FLOOR, never above what an edit may create.
 */
const PLAN_PART_FLOOR = 4;
const grown = (observed: number, cap: number) => Math.min(cap, Math.max(PLAN_PART_FLOOR, 2 * observed));
const planPart = (part: keyof DataBounds['planParts'], cap: number): ListBound => (_, h) => grown(h.data.planParts[part], cap);

export const LIST_BOUNDS: Record<string, ListBound> = {
  'Query.indicators': (_, h) => h.indicators,
  'Indicator.references': MAX_REFERENCES,
  'Query.statistics': (args, h) => length(args.periods) * rowUnits(h, args.area, args.breakdown ?? 'NONE', args.level) * cells(h, args.by),
  'Indicator.dimensions': MAX_DIMENSIONS,
  'Dimension.values': (_, h) => h.mostCodes,
  'Observation.dimensions': MAX_DIMENSIONS,
  'StatisticsRow.dimensions': MAX_DIMENSIONS,
  'Query.targetProgress': (args, h) => PLAN_PARTS.targets * rowUnits(h, h.planUnits.get(String(rowIdOf(String(args.plan ?? ''), 'Plan'))), args.breakdown ?? 'NONE', null),
  'Query.reportingCompleteness': (args, h) => rowUnits(h, args.area, args.breakdown ?? 'CHILDREN', args.level),
  // Rows come per period and unit: counted on Query.statistics, which sees the arguments.
  'StatisticsResult.rows': 1,
  'AdministrativeUnit.children': (_, h) => h.children,
  'AdministrativeUnit.ancestors': (_, h) => h.ancestors,
  'AdministrativeUnit.predecessors': (_, h) => h.predecessors,
  'AdministrativeUnit.successors': (_, h) => h.successors,
  'AdministrativeUnit.plans': PLAN_PARTS.plansOfUnit,
  'AdministrativeUnit.agencies': PLAN_PARTS.agencies,
  'Plan.implementedBy': (_, h) => h.implementingPlans,
  'Plan.alsoImplements': PLAN_PARTS.upperDocuments,
  'Plan.objectives': planPart('objectives', PLAN_PARTS.objectives),
  'Plan.targets': planPart('targets', PLAN_PARTS.targets),
  'Plan.tasks': planPart('tasks', PLAN_PARTS.tasks),
  'Plan.responsibilities': planPart('responsibilities', PLAN_PARTS.responsibilities),
  'Plan.reportingObligations': planPart('obligations', PLAN_PARTS.obligations),
  'Plan.history': PLAN_PARTS.revisions,
  'Objective.targets': planPart('targetsPerObjective', PLAN_PARTS.targetsPerObjective),
  'Target.milestones': planPart('milestones', PLAN_PARTS.milestones),
  'Task.objectives': PLAN_PARTS.objectives,
  'Task.partnerAgencies': PLAN_PARTS.agencies,
  'TaskSchedule.days': 366,
  'Agency.responsibilities': PLAN_PARTS.responsibilities,
  'Responsibility.objectives': PLAN_PARTS.objectives,
  'Responsibility.targets': PLAN_PARTS.targets,
  'ReportingObligation.submissions': PLAN_PARTS.submissions,
  'Observation.history': OBSERVATION_REVISIONS,
  // A connection's edges are counted on the connection field, by `first`.
  'AuditEntryConnection.edges': 1,
  'UnitConnection.edges': 1,
  'ObservationConnection.edges': 1,
  'PlanConnection.edges': 1,
  // A mutation answers one item per id or row it was sent; those are capped by MAX_MUTATION_ROWS before it runs.
  'Mutation.submitObservations': (args) => length(args.ids),
  'Mutation.approveObservations': (args) => length(args.ids),
  'ImportResult.errors': 1,
  'ImportResult.warnings': 1,
};

const largestByForm = new WeakMap<Map<string, number>, Map<string, number>>();

/** A code's form: its length and whether it is digits ("VN", the nation, is not a province). */
const formOf = (code: string) => `${code.length}${/^\d+$/.test(code) ? 'd' : 'a'}`;

/**
 * The most any unit code of the same form (length and digits: 2 a province, 5 a commune, 7 a village) has in
 * `sizes`. The cost is computed before the viewer's area is known, and its answer is shown
 * (`extensions.cost`, refusals): a cost by the named unit itself would tell a viewer whether a unit
 * outside its area exists and how much it holds. An unknown code costs as much as a real one.
 */
function largestOfForm(sizes: Map<string, number>, code: string): number {
  let byLength = largestByForm.get(sizes);
  if (!byLength) {
    byLength = new Map();
    for (const [key, n] of sizes) byLength.set(formOf(key), Math.max(byLength.get(formOf(key)) ?? 0, n));
    largestByForm.set(sizes, byLength);
  }
  return byLength.get(formOf(code.trim())) ?? 0;
}

const unitsBelowByCode = new WeakMap<HierarchyBounds['below'], Map<string, number>>();

/** Units below a unit like `code` at every level (itself not included); every placement when the code is not given. */
function unitsUnder(h: HierarchyBounds, code: unknown): number {
  if (typeof code !== 'string') return h.data.placements;
  let totals = unitsBelowByCode.get(h.below);
  if (!totals) {
    totals = new Map([...h.below].map(([key, below]) => [key, [...below.levels.values()].reduce((sum, n) => sum + n, 0)]));
    unitsBelowByCode.set(h.below, totals);
  }
  return largestOfForm(totals, code);
}

/** Observations a list or count reads: a unit's like it (or its subtree's), at most the indicator's; the whole table without a unit. */
function observationRows(args: Args, h: HierarchyBounds): number {
  const data = h.data;
  let rows = data.observations;
  if (typeof args.unit === 'string') rows = largestOfForm(args.includeDescendants ? data.observationsUnder : data.observationsOf, args.unit);
  if (typeof args.indicator === 'string') rows = Math.min(rows, data.observationsOfIndicator.get(args.indicator.trim()) ?? 0);
  return rows;
}

/**
 * Rows a connection reads besides those it returns: its totalCount (computed whether asked for or
 * not) reads every row that matches, so a count over a subtree costs the subtree's rows, one per
 * row. A hundred aliases of a province's count then cost what they read.
 */
export const SCAN_COSTS: Record<string, (args: Args, hierarchy: HierarchyBounds) => number> = {
  'Query.observations': observationRows,
  'Query.units': (args, h) => unitsUnder(h, args.under),
  'Query.plans': (_, h) => h.data.plans,
};

export function scanCost(key: string, args: Args, hierarchy: HierarchyBounds): number {
  return SCAN_COSTS[key]?.(args, hierarchy) ?? 0;
}

/** What a list not in LIST_BOUNDS costs: the largest page, so a forgotten entry errs on the side of refusing. */
export const UNKNOWN_LIST_BOUND = 500;

export function listBound(key: string, args: Args, hierarchy: HierarchyBounds): number | null {
  const bound = LIST_BOUNDS[key];
  if (bound === undefined) return null;
  return typeof bound === 'number' ? bound : bound(args, hierarchy);
}

/** Children and units per level below each unit code, from every placement's path. */
async function loadBelow(dataSource: DataSource): Promise<HierarchyBounds['below']> {
  const rows: { id: number | string; code: string; level: string; path: string; parentId: number | string | null }[] = await dataSource.query(
    'SELECT u.id AS id, u.code AS code, u.level AS level, p.path AS path, p.parent_id AS parentId FROM unit_placement p INNER JOIN administrative_unit u ON u.id = p.unit_id',
  );
  const codeOf = new Map(rows.map((r) => [Number(r.id), r.code]));
  const perUnit = new Map<number, { children: number; levels: Map<string, number> }>();
  const at = (id: number) => perUnit.get(id) ?? perUnit.set(id, { children: 0, levels: new Map() }).get(id)!;
  for (const row of rows) {
    if (row.parentId !== null) at(Number(row.parentId)).children += 1;
    for (const ancestor of row.path.split('/').filter(Boolean).map(Number)) {
      if (ancestor === Number(row.id)) continue;
      const levels = at(ancestor).levels;
      levels.set(row.level, (levels.get(row.level) ?? 0) + 1);
    }
  }
  const below: HierarchyBounds['below'] = new Map();
  for (const [id, counts] of perUnit) {
    const code = codeOf.get(id);
    if (!code) continue;
    const seen = below.get(code) ?? { children: 0, levels: new Map<string, number>() };
    seen.children = Math.max(seen.children, counts.children);
    for (const [level, n] of counts.levels) seen.levels.set(level, Math.max(seen.levels.get(level) ?? 0, n));
    below.set(code, seen);
  }
  return below;
}

/** The bounds each server holds for its database, so a plan created while it runs is costed by its own unit. */
const live = new WeakMap<DataSource, UnitBounds>();

/** Tells this server's bounds the unit of a new plan (another instance learns it when it starts). */
export function rememberPlanUnit(dataSource: DataSource, planId: number, unitCode: string): void {
  live.get(dataSource)?.planUnits.set(String(planId), unitCode);
}

type CatalogueBounds = Pick<HierarchyBounds, 'indicators' | 'codes' | 'mostCodes'>;
type UnitBounds = Omit<HierarchyBounds, keyof CatalogueBounds | 'data'>;

/** What the hierarchy and the plans bound: read again when the hierarchy changes. */
async function loadUnitBounds(dataSource: DataSource): Promise<UnitBounds> {
  const most = (sql: string) => `(SELECT COALESCE(MAX(n), 0) FROM (${sql}) t)`;
  const [row] = await dataSource.query(
    `SELECT ${most('SELECT COUNT(*) AS n FROM unit_placement WHERE parent_id IS NOT NULL GROUP BY parent_id')} AS children,` +
      ` (SELECT COALESCE(MAX(depth), 0) + 1 FROM unit_placement) AS ancestors,` +
      ` ${most('SELECT COUNT(*) AS n FROM unit_lineage GROUP BY successor_id')} AS predecessors,` +
      ` ${most('SELECT COUNT(*) AS n FROM unit_lineage GROUP BY predecessor_id')} AS successors,` +
      ` ${most('SELECT COUNT(*) AS n FROM administrative_unit GROUP BY level')} AS unitsAtLevel,` +
      ` ${most('SELECT COUNT(*) AS n FROM plan WHERE implements_number IS NOT NULL GROUP BY implements_number')} AS implementingPlans`,
  );
  const at = (name: string, floor: number) => Math.max(floor, Number(row[name] ?? row[name.toLowerCase()] ?? 0));
  const plans: { id: number | string; code: string }[] = await dataSource.query('SELECT p.id AS id, u.code AS code FROM plan p INNER JOIN administrative_unit u ON u.id = p.unit_id');
  const bounds: UnitBounds = {
    below: await loadBelow(dataSource),
    planUnits: new Map(plans.map((p) => [String(p.id), p.code])),
    children: at('children', 1),
    ancestors: at('ancestors', 1),
    predecessors: at('predecessors', 1),
    successors: at('successors', 1),
    unitsAtLevel: at('unitsAtLevel', 1),
    // Implementing plans grow while the server runs: room above today's count.
    implementingPlans: Math.max(at('implementingPlans', 0) * 2, 200),
  };
  live.set(dataSource, bounds);
  return bounds;
}

/** What the catalogue bounds (indicators, the dimensions' code lists): read again when it changes. */
async function loadCatalogueBounds(dataSource: DataSource): Promise<CatalogueBounds> {
  const [row] = await dataSource.query('SELECT COUNT(*) AS n FROM indicator');
  const codes: { dimension: string; n: number | string }[] = await dataSource.query('SELECT dimension, COUNT(*) AS n FROM dimension_code GROUP BY dimension');
  return {
    codes: new Map(codes.map((c) => [c.dimension, Number(c.n)])),
    mostCodes: Math.max(1, ...codes.map((c) => Number(c.n))),
    // Room above today's count for indicators added by a CLI until the next read.
    indicators: Number(row.n) + 100,
  };
}

/** How long the data's sizes are used before they are read again (the read is a few index scans). */
export const DATA_BOUNDS_MAX_AGE_MS = 60_000;

const numberOf = (row: Record<string, unknown>, name: string) => Number(row[name] ?? row[name.toLowerCase()] ?? 0);

async function loadDataBounds(dataSource: DataSource): Promise<DataBounds> {
  const perUnit: { id: number | string; n: number | string }[] = await dataSource.query('SELECT unit_id AS id, COUNT(*) AS n FROM observation GROUP BY unit_id');
  const perIndicator: { code: string; n: number | string }[] = await dataSource.query('SELECT i.code AS code, COUNT(*) AS n FROM observation o INNER JOIN indicator i ON i.id = o.indicator_id GROUP BY i.code');
  const placements: { id: number | string; code: string; path: string }[] = await dataSource.query('SELECT p.unit_id AS id, u.code AS code, p.path AS path FROM unit_placement p INNER JOIN administrative_unit u ON u.id = p.unit_id');
  const most = (sql: string) => `(SELECT COALESCE(MAX(n), 0) FROM (${sql}) t)`;
  const perPlan = (table: string, by = 'plan_id') => most(`SELECT COUNT(*) AS n FROM ${table} GROUP BY ${by}`);
  const [parts] = await dataSource.query(
    `SELECT (SELECT COUNT(*) FROM plan) AS plans, ${perPlan('objective')} AS objectives, ${perPlan('target', 'objective_id')} AS targetsPerObjective, ${perPlan('target')} AS targets,` +
      ` ${perPlan('task')} AS tasks, ${perPlan('responsibility')} AS responsibilities, ${perPlan('reporting_obligation')} AS obligations,` +
      // A target's milestones are a JSON list of objects: one '{' each.
      " (SELECT COALESCE(MAX(LENGTH(milestones) - LENGTH(REPLACE(milestones, '{', ''))), 0) FROM target) AS milestones",
  );
  const rowsOf = new Map(perUnit.map((r) => [Number(r.id), Number(r.n)]));
  const codeOf = new Map(placements.map((p) => [Number(p.id), p.code]));
  const add = (map: Map<string, number>, code: string | undefined, n: number) => code !== undefined && map.set(code, (map.get(code) ?? 0) + n);
  const observationsOf = new Map<string, number>();
  for (const [id, n] of rowsOf) add(observationsOf, codeOf.get(id), n);
  // Each placement adds its unit's rows to every unit on its path (itself included); a unit placed twice under one ancestor counts twice, erring high.
  const observationsUnder = new Map<string, number>();
  for (const placement of placements) {
    const n = rowsOf.get(Number(placement.id)) ?? 0;
    if (n) for (const ancestor of placement.path.split('/').filter(Boolean).map(Number)) add(observationsUnder, codeOf.get(ancestor), n);
  }
  return {
    observations: [...rowsOf.values()].reduce((sum, n) => sum + n, 0),
    observationsOf,
    observationsUnder,
    observationsOfIndicator: new Map(perIndicator.map((r) => [r.code, Number(r.n)])),
    placements: placements.length,
    plans: numberOf(parts, 'plans'),
    planParts: {
      objectives: numberOf(parts, 'objectives'),
      targetsPerObjective: numberOf(parts, 'targetsPerObjective'),
      targets: numberOf(parts, 'targets'),
      tasks: numberOf(parts, 'tasks'),
      responsibilities: numberOf(parts, 'responsibilities'),
      obligations: numberOf(parts, 'obligations'),
      milestones: numberOf(parts, 'milestones'),
    },
  };
}

const dataBounds = new WeakMap<DataSource, { value: Promise<DataBounds>; readAt: number }>();

/** The data's sizes: read once, then again in the background once older than DATA_BOUNDS_MAX_AGE_MS (requests keep the last ones meanwhile). */
function currentDataBounds(dataSource: DataSource): Promise<DataBounds> {
  const held = dataBounds.get(dataSource);
  if (held && Date.now() - held.readAt < DATA_BOUNDS_MAX_AGE_MS) return held.value;
  const loading = outsideRequestScope(() => loadDataBounds(dataSource));
  if (!held) {
    dataBounds.set(dataSource, { value: loading, readAt: Date.now() });
    loading.catch(() => dataBounds.delete(dataSource));
    return loading;
  }
  held.readAt = Date.now();
  // A failed read is tried again after the next interval.
  loading.then((value) => dataBounds.set(dataSource, { value: Promise.resolve(value), readAt: Date.now() })).catch(() => undefined);
  return held.value;
}

/**
 * The bounds in force, kept with the reference data (reference-cache.ts): read again once the
 * hierarchy or the catalogue has changed, so units, indicators or a code list loaded while the
 * servers run are costed by their real size from the next request on.
 */
export async function currentBounds(dataSource: DataSource): Promise<HierarchyBounds> {
  const cache = referenceCache(dataSource);
  const [units, catalogue] = await Promise.all([cache.get('hierarchy', 'list-bounds', () => loadUnitBounds(dataSource)), cache.get('catalogue', 'list-bounds', () => loadCatalogueBounds(dataSource))]);
  return { ...units, ...catalogue, data: await currentDataBounds(dataSource) };
}

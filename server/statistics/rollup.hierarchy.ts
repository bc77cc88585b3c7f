import { EntityManager } from 'typeorm';
import { chunk } from '../core/sql';
import { TemporalAggregation } from '../indicators/indicator-enums';
import { Period, periodEnd } from '../observations/period';

const CHUNK = 500;

interface Span {
  /** Unit ids from the root down to the unit itself. */
  path: number[];
  validFrom: string | null;
  validTo: string | null;
}

/** Where an entry unit sits over time, and which of today's units it maps to through the lineage. */
export interface EntryUnitPlace {
  unitId: number;
  validFrom: string | null;
  validTo: string | null;
  spans: Span[];
  /** Today's units the unit is, or was merged into (and everything above them); empty when none can be traced. */
  currentChain: number[];
}

const within = (from: string | null, to: string | null, date: string) => (from === null || from <= date) && (to === null || to >= date);

/** The unit and its ancestors in the hierarchy in force on `date` (empty when it had no place then). */
export function chainOn(place: EntryUnitPlace, date: string): number[] {
  return place.spans.find((s) => within(s.validFrom, s.validTo, date))?.path ?? [];
}

/**
 * The units an entry unit's data is read under when periods are mapped onto today's units: its
 * current chain, or those of the units it became. A legacy unit split between several units
 * counts in full for each of them and once for every unit above them (a split of the data would
 * be a guess). A stock is the state at the end of the period, so a unit no longer in force then
 * adds nothing to it; a flow always counts.
 */
export function currentChainFor(place: EntryUnitPlace, period: Period, aggregation: TemporalAggregation): number[] {
  if (aggregation === TemporalAggregation.STOCK && !within(place.validFrom, place.validTo, periodEnd(period))) return [];
  return place.currentChain;
}

const parsePath = (path: string): number[] => path.split('/').filter(Boolean).map(Number);

/** Placements and lineage of entry units, in a fixed number of statements per chunk of units. */
export async function loadPlaces(manager: EntityManager, unitIds: number[]): Promise<Map<number, EntryUnitPlace>> {
  const places = new Map<number, EntryUnitPlace>();
  for (const ids of chunk([...new Set(unitIds)], CHUNK)) {
    const units: { id: number | string; validFrom: string | null; validTo: string | null }[] = await manager.query(
      `SELECT id, valid_from AS validFrom, valid_to AS validTo FROM administrative_unit WHERE id IN (${ids.map(() => '?').join(', ')})`,
      ids,
    );
    for (const u of units) places.set(Number(u.id), { unitId: Number(u.id), validFrom: u.validFrom, validTo: u.validTo, spans: [], currentChain: [] });
  }
  const spans = await loadSpans(manager, [...places.keys()]);
  for (const [unitId, list] of spans) {
    const place = places.get(unitId);
    if (place) place.spans = list;
  }
  await traceCurrentChains(manager, places, spans);
  return places;
}

async function loadSpans(manager: EntityManager, unitIds: number[]): Promise<Map<number, Span[]>> {
  const spans = new Map<number, Span[]>();
  for (const ids of chunk(unitIds, CHUNK)) {
    const rows: { unitId: number | string; path: string; validFrom: string | null; validTo: string | null }[] = await manager.query(
      `SELECT unit_id AS unitId, path, valid_from AS validFrom, valid_to AS validTo FROM unit_placement WHERE unit_id IN (${ids.map(() => '?').join(', ')})`,
      ids,
    );
    for (const r of rows) {
      const list = spans.get(Number(r.unitId)) ?? [];
      list.push({ path: parsePath(r.path), validFrom: r.validFrom, validTo: r.validTo });
      spans.set(Number(r.unitId), list);
    }
  }
  return spans;
}

function addTo(map: Map<number, Set<number>>, key: number, value: number): void {
  const set = map.get(key) ?? new Set<number>();
  set.add(value);
  map.set(key, set);
}

const currentPath = (list: Span[] | undefined) => list?.find((s) => s.validTo === null)?.path ?? null;

/** Follows successor links (usually one step: the 2025 reorganisation) until units in force today. */
async function traceCurrentChains(manager: EntityManager, places: Map<number, EntryUnitPlace>, spans: Map<number, Span[]>): Promise<void> {
  // unit → the units in force today it leads to
  const reached = new Map<number, Set<number>>();
  for (const place of places.values()) {
    if (currentPath(spans.get(place.unitId))) reached.set(place.unitId, new Set([place.unitId]));
  }
  let frontier = new Map<number, Set<number>>([...places.keys()].filter((id) => !reached.has(id)).map((id) => [id, new Set([id])]));
  // Bounded: lineage has one reorganisation today; a cycle in bad data cannot loop forever.
  for (let step = 0; frontier.size && step < 5; step++) {
    const heads = [...new Set([...frontier.values()].flatMap((s) => [...s]))];
    const links = new Map<number, number[]>();
    for (const ids of chunk(heads, CHUNK)) {
      const rows: { predecessorId: number | string; successorId: number | string }[] = await manager.query(
        `SELECT predecessor_id AS predecessorId, successor_id AS successorId FROM unit_lineage WHERE predecessor_id IN (${ids.map(() => '?').join(', ')})`,
        ids,
      );
      for (const r of rows) links.set(Number(r.predecessorId), [...(links.get(Number(r.predecessorId)) ?? []), Number(r.successorId)]);
    }
    const successors = [...new Set([...links.values()].flat())].filter((id) => !spans.has(id));
    for (const [id, list] of await loadSpans(manager, successors)) spans.set(id, list);
    const next = new Map<number, Set<number>>();
    for (const [origin, heads] of frontier) {
      for (const head of heads) {
        for (const successor of links.get(head) ?? []) addTo(currentPath(spans.get(successor)) ? reached : next, origin, successor);
      }
    }
    frontier = next;
  }
  for (const [origin, targets] of reached) {
    const place = places.get(origin);
    if (!place) continue;
    const chain = new Set<number>();
    for (const target of targets) for (const id of currentPath(spans.get(target)) ?? []) chain.add(id);
    place.currentChain = [...chain];
  }
}

import { parsePeriod, periodEnd, periodStart } from '../observations/period';
import { AGENCY, DATAFLOW_ID, TIME_DIMENSION, VERSION } from './sdmx-model';
import { noResults, notImplemented, syntaxError } from './sdmx-errors';

/** One position of a series key: the codes asked for, or null for every code (an empty position). */
export type KeyPart = string[] | null;

export type Detail = 'full' | 'dataonly' | 'serieskeysonly' | 'nodata';
export type ObservationDimension = 'TIME_PERIOD' | 'AllDimensions';

export interface DataQuery {
  /** The key with one part per dimension of the series key (parts left out at the end are null). */
  key: KeyPart[];
  /** First and last day a period may cover; null: the years the hub has data for. */
  start: string | null;
  end: string | null;
  dimensionAtObservation: ObservationDimension;
  detail: Detail;
  firstN: number | null;
  lastN: number | null;
}

const DATA_PARAMETERS = ['startPeriod', 'endPeriod', 'dimensionAtObservation', 'detail', 'firstNObservations', 'lastNObservations', 'updatedAfter', 'includeHistory'];
const STRUCTURE_PARAMETERS = ['references', 'detail'];
const CODE = /^[A-Za-z0-9_@$-]+$/;

/** An unknown parameter is refused, not ignored: a misspelt `startPeriod` would silently answer every period. */
function refuseUnknown(params: URLSearchParams, known: string[]): void {
  for (const name of new Set(params.keys())) {
    if (!known.includes(name)) throw syntaxError(`Unknown parameter "${name}"; this resource takes ${known.join(', ')}`);
    if (params.getAll(name).length > 1) throw syntaxError(`Give ${name} once`);
  }
}

/**
 * The dataflow of a data query: `GENDER_STATISTICS`, `BDG,GENDER_STATISTICS` or
 * `BDG,GENDER_STATISTICS,1.0` (`latest` for the version). Any other flow has no data: 404.
 */
export function checkFlowRef(flowRef: string): void {
  const parts = flowRef.split(',');
  if (parts.length > 3 || parts.some((p) => !p)) throw syntaxError(`"${flowRef}" is not a dataflow reference: use ${DATAFLOW_ID}, ${AGENCY},${DATAFLOW_ID} or ${AGENCY},${DATAFLOW_ID},${VERSION}`);
  const [first, second, version] = parts;
  const [agency, id] = parts.length === 1 ? ['all', first] : [first, second];
  if (!['all', AGENCY].includes(agency) || id !== DATAFLOW_ID || (version !== undefined && !['latest', VERSION].includes(version))) throw noResults();
}

/**
 * A series key such as `A.20+01.PEOPLES_COUNCIL_DEPUTY.F+M`: one part per dimension, dots between
 * them, `+` between alternatives, empty for every code; `all` (or nothing) for every series. The
 * key has the four core positions (the indicator dimensions then take every code) or all of them.
 */
export function parseKey(text: string, dimensions: string[], core: number): KeyPart[] {
  if (text === '' || text === 'all') return dimensions.map(() => null);
  const parts = text.split('.');
  if (parts.length !== core && parts.length !== dimensions.length) {
    const position = parts.length < core ? parts.length + 1 : parts.length > dimensions.length ? dimensions.length + 1 : parts.length + 1;
    const what = position <= dimensions.length ? `position ${position} (${dimensions[position - 1]}) is missing` : `position ${position} is one too many`;
    throw syntaxError(
      `The key "${text}" has ${parts.length} positions: ${what}. A key of ${DATAFLOW_ID} has ${core} positions (${dimensions.slice(0, core).join('.')})` +
        (dimensions.length > core ? ` or ${dimensions.length} (${dimensions.join('.')})` : ''),
    );
  }
  return dimensions.map((dimension, i) => {
    const part = parts[i];
    if (part === undefined || part === '') return null;
    const codes = part.split('+');
    const bad = codes.find((c) => !CODE.test(c));
    if (bad !== undefined) throw syntaxError(`Key position ${i + 1} (${dimension}): "${part}" is not a list of codes joined by +`);
    return [...new Set(codes)];
  });
}

/** A period bound: any period the hub reads (2026, 2026-S1, 2026Q3, 2026-07) or a day (2026-03-15). */
function periodBound(params: URLSearchParams, name: string, side: 'start' | 'end'): string | null {
  const text = params.get(name)?.trim();
  if (!text) return null;
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (day && !Number.isNaN(Date.parse(`${text}T00:00:00Z`)) && new Date(`${text}T00:00:00Z`).toISOString().startsWith(text)) return text;
  const period = parsePeriod(text);
  if (!period) throw syntaxError(`${name}: "${text}" is not a period: use 2026, 2026-S1, 2026-Q3, 2026Q3, 2026-07 or a day such as 2026-03-15`);
  return side === 'start' ? periodStart(period) : periodEnd(period);
}

function count(params: URLSearchParams, name: string): number | null {
  const text = params.get(name);
  if (text === null) return null;
  if (!/^\d+$/.test(text) || Number(text) < 1) throw syntaxError(`${name} is a whole number of at least 1; got "${text}"`);
  return Number(text);
}

export function parseDataParams(params: URLSearchParams): Omit<DataQuery, 'key'> {
  refuseUnknown(params, DATA_PARAMETERS);
  if (params.has('updatedAfter') || params.has('includeHistory')) throw notImplemented('updatedAfter and includeHistory are not supported: the hub keeps the history of each observation, not of its aggregates');
  const start = periodBound(params, 'startPeriod', 'start');
  const end = periodBound(params, 'endPeriod', 'end');
  if (start && end && start > end) throw syntaxError(`startPeriod is after endPeriod`);
  const atObservation = params.get('dimensionAtObservation') ?? TIME_DIMENSION;
  if (atObservation !== TIME_DIMENSION && atObservation !== 'AllDimensions') throw notImplemented(`dimensionAtObservation is ${TIME_DIMENSION} or AllDimensions; got "${atObservation}"`);
  const detail = params.get('detail') ?? 'full';
  if (!['full', 'dataonly', 'serieskeysonly', 'nodata'].includes(detail)) throw syntaxError(`detail is one of full, dataonly, serieskeysonly, nodata; got "${detail}"`);
  return { start, end, dimensionAtObservation: atObservation as ObservationDimension, detail: detail as Detail, firstN: count(params, 'firstNObservations'), lastN: count(params, 'lastNObservations') };
}

export type References = 'none' | 'parents' | 'parentsandsiblings' | 'children' | 'descendants' | 'all' | 'dataflow' | 'datastructure' | 'codelist' | 'conceptscheme';
const REFERENCES: References[] = ['none', 'parents', 'parentsandsiblings', 'children', 'descendants', 'all', 'dataflow', 'datastructure', 'codelist', 'conceptscheme'];

export function parseStructureParams(params: URLSearchParams): References {
  refuseUnknown(params, STRUCTURE_PARAMETERS);
  const detail = params.get('detail') ?? 'full';
  if (detail !== 'full') throw notImplemented(`detail=${detail} is not supported; structures are answered in full`);
  const references = (params.get('references') ?? 'none') as References;
  if (!REFERENCES.includes(references)) throw syntaxError(`references is one of ${REFERENCES.join(', ')}; got "${references}"`);
  return references;
}

import { csvLine } from '../exports/csv-writer';
import { parsePeriod, periodEnd, periodStart } from '../observations/period';
import { SdmxSeries } from './sdmx-data';
import { AGENCY, DATAFLOW_CSV_REF, DATAFLOW_ID, DSD_ID, OBSERVATION_ATTRIBUTES, PRIMARY_MEASURE, SERIES_ATTRIBUTES, TIME_DIMENSION, VERSION } from './sdmx-model';
import { Detail, ObservationDimension } from './sdmx-query';
import { attrs, headerParts, NS, XML_DECLARATION, xmlEscape } from './sdmx-xml';

export type DataFormat = 'generic' | 'structurespecific' | 'json' | 'csv' | 'csv2';

/** Media types by format; the first is what the answer is sent as. */
export const DATA_MEDIA_TYPES: { format: DataFormat; types: string[]; contentType: string }[] = [
  { format: 'generic', types: ['application/vnd.sdmx.genericdata+xml'], contentType: 'application/vnd.sdmx.genericdata+xml; version=2.1; charset=utf-8' },
  { format: 'structurespecific', types: ['application/vnd.sdmx.structurespecificdata+xml'], contentType: 'application/vnd.sdmx.structurespecificdata+xml; version=2.1; charset=utf-8' },
  { format: 'json', types: ['application/vnd.sdmx.data+json', 'application/json'], contentType: 'application/vnd.sdmx.data+json; version=1.0.0; charset=utf-8' },
  { format: 'csv2', types: [], contentType: 'application/vnd.sdmx.data+csv; version=2.0.0; charset=utf-8' },
  { format: 'csv', types: ['application/vnd.sdmx.data+csv', 'text/csv'], contentType: 'application/vnd.sdmx.data+csv; version=1.0.0; charset=utf-8' },
];

export interface DataShape {
  requestId: string;
  dimensions: string[];
  /** Names of the dimensions and attributes, for SDMX-JSON. */
  conceptNames: Map<string, string>;
  status: string;
  detail: Detail;
  atObservation: ObservationDimension;
}

/** A format as three steps: what opens the message, each page of series, what closes it. */
export interface DataWriter {
  open(): string;
  page(series: SdmxSeries[]): string;
  close(): string;
}

/** The shortest text that reads back as the same double: the numbers equal the `statistics` query's exactly. */
const number = (value: number) => String(value);

const withObservations = (detail: Detail) => detail === 'full' || detail === 'dataonly';
const withAttributes = (detail: Detail) => detail === 'full' || detail === 'nodata';
/** Observations without series (dimensionAtObservation=AllDimensions); series keys or attributes alone are always written per series. */
const flatObservations = (shape: DataShape) => shape.atObservation === 'AllDimensions' && withObservations(shape.detail);

function seriesAttributes(s: SdmxSeries): [string, string][] {
  return [
    [SERIES_ATTRIBUTES[0], s.unitMeasure],
    [SERIES_ATTRIBUTES[1], '0'],
  ];
}

function observationAttributes(shape: DataShape, o: SdmxSeries['observations'][number]): [string, string][] {
  return [
    [OBSERVATION_ATTRIBUTES[0], shape.status],
    [OBSERVATION_ATTRIBUTES[1], String(o.reporting)],
    [OBSERVATION_ATTRIBUTES[2], String(o.expected)],
  ];
}

const STRUCTURE_ID = `${AGENCY}_${DATAFLOW_ID}_${VERSION.replace('.', '_')}`;
const dsdRef = `<common:Structure><Ref${attrs({ agencyID: AGENCY, id: DSD_ID, version: VERSION })}/></common:Structure>`;

function genericWriter(shape: DataShape): DataWriter {
  const values = (pairs: [string, string][]) => pairs.map(([id, value]) => `<generic:Value${attrs({ id, value })}/>`).join('');
  const attributes = (pairs: [string, string][]) => (pairs.length ? `<generic:Attributes>${values(pairs)}</generic:Attributes>` : '');
  const keyPairs = (s: SdmxSeries): [string, string][] => shape.dimensions.map((d, i) => [d, s.key[i]]);
  const flat = flatObservations(shape);
  return {
    open: () =>
      `${XML_DECLARATION}<message:GenericData xmlns:message="${NS.message}" xmlns:common="${NS.common}" xmlns:generic="${NS.generic}">` +
      `<message:Header>${headerParts(shape.requestId, new Date())}<message:Structure${attrs({ structureID: STRUCTURE_ID, dimensionAtObservation: shape.atObservation })}>${dsdRef}</message:Structure></message:Header>` +
      `<message:DataSet structureRef="${STRUCTURE_ID}">`,
    page: (page) =>
      page
        .map((s) => {
          const seriesAttrs = withAttributes(shape.detail) ? seriesAttributes(s) : [];
          if (flat) {
            return s.observations
              .map((o) => `<generic:Obs><generic:ObsKey>${values([...keyPairs(s), [TIME_DIMENSION, o.period]])}</generic:ObsKey><generic:ObsValue value="${number(o.value)}"/>${attributes(shape.detail === 'full' ? [...seriesAttrs, ...observationAttributes(shape, o)] : [])}</generic:Obs>`)
              .join('');
          }
          const observations = withObservations(shape.detail)
            ? s.observations.map((o) => `<generic:Obs><generic:ObsDimension value="${xmlEscape(o.period)}"/><generic:ObsValue value="${number(o.value)}"/>${attributes(shape.detail === 'full' ? observationAttributes(shape, o) : [])}</generic:Obs>`).join('')
            : '';
          return `<generic:Series><generic:SeriesKey>${values(keyPairs(s))}</generic:SeriesKey>${attributes(seriesAttrs)}${observations}</generic:Series>`;
        })
        .join(''),
    close: () => '</message:DataSet></message:GenericData>\n',
  };
}

function structureSpecificWriter(shape: DataShape): DataWriter {
  const namespace = `urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure=${AGENCY}:${DSD_ID}(${VERSION}):ObsLevelDim:${shape.atObservation}`;
  const keyAttrs = (s: SdmxSeries) => Object.fromEntries(shape.dimensions.map((d, i) => [d, s.key[i]]));
  const flat = flatObservations(shape);
  return {
    open: () =>
      `${XML_DECLARATION}<message:StructureSpecificData xmlns:message="${NS.message}" xmlns:common="${NS.common}" xmlns:ss="${NS.structureSpecific}" xmlns:xsi="${NS.xsi}" xmlns:ns1="${namespace}">` +
      `<message:Header>${headerParts(shape.requestId, new Date())}<message:Structure${attrs({ structureID: STRUCTURE_ID, namespace, dimensionAtObservation: shape.atObservation })}>${dsdRef}</message:Structure></message:Header>` +
      `<message:DataSet ss:structureRef="${STRUCTURE_ID}" xsi:type="ns1:DataSetType" ss:dataScope="DataStructure">`,
    page: (page) =>
      page
        .map((s) => {
          const seriesAttrs = withAttributes(shape.detail) ? Object.fromEntries(seriesAttributes(s)) : {};
          const obsAttrs = (o: SdmxSeries['observations'][number]) => (shape.detail === 'full' ? Object.fromEntries(observationAttributes(shape, o)) : {});
          if (flat) return s.observations.map((o) => `<Obs${attrs({ ...keyAttrs(s), [TIME_DIMENSION]: o.period, [PRIMARY_MEASURE]: number(o.value), ...(shape.detail === 'full' ? seriesAttrs : {}), ...obsAttrs(o) })}/>`).join('');
          const observations = withObservations(shape.detail) ? s.observations.map((o) => `<Obs${attrs({ [TIME_DIMENSION]: o.period, [PRIMARY_MEASURE]: number(o.value), ...obsAttrs(o) })}/>`).join('') : '';
          return `<Series${attrs({ ...keyAttrs(s), ...seriesAttrs })}>${observations}</Series>`;
        })
        .join(''),
    close: () => '</message:DataSet></message:StructureSpecificData>\n',
  };
}

const DATAFLOW_LINK = { rel: 'dataflow', urn: `urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow=${DATAFLOW_CSV_REF}` };

/** Positions of the values met so far, per component: SDMX-JSON refers to values by index. */
class ValueIndex {
  readonly values: string[] = [];
  private readonly positions = new Map<string, number>();
  of(value: string): number {
    let at = this.positions.get(value);
    if (at === undefined) {
      at = this.values.length;
      this.positions.set(value, at);
      this.values.push(value);
    }
    return at;
  }
}

/**
 * SDMX-JSON 1.0 (`meta`, then `data` with `dataSets` and `structure`): the series (or
 * observations) are written as they come, with indices into the value lists, and the structure,
 * whose lists are only known at the end, follows the data sets.
 */
function jsonWriter(shape: DataShape): DataWriter {
  const flat = flatObservations(shape);
  const keyIndex = shape.dimensions.map(() => new ValueIndex());
  const time = new ValueIndex();
  const seriesAttrIndex = SERIES_ATTRIBUTES.map(() => new ValueIndex());
  const obsAttrIndex = OBSERVATION_ATTRIBUTES.map(() => new ValueIndex());
  let first = true;
  const name = (id: string) => shape.conceptNames.get(id) ?? id;
  const component = (id: string, values: string[], keyPosition?: number, extra: Record<string, unknown> = {}) => ({ id, name: name(id), ...(keyPosition === undefined ? {} : { keyPosition }), ...extra, values: values.map((v) => ({ id: v, name: v })) });
  const periodValue = (code: string) => {
    const period = parsePeriod(code);
    return { id: code, name: code, ...(period ? { start: `${periodStart(period)}T00:00:00.000Z`, end: `${periodEnd(period)}T23:59:59.999Z` } : {}) };
  };
  return {
    open: () => `{"meta":${JSON.stringify({ id: headerParts(shape.requestId, new Date()).match(/<message:ID>([^<]*)</)?.[1], test: false, prepared: new Date().toISOString(), contentLanguages: ['en'], sender: { id: AGENCY } })},"data":{"dataSets":[{"links":${JSON.stringify([DATAFLOW_LINK])},"action":"Information",${flat ? '"observations"' : '"series"'}:{`,
    page: (page) => {
      const parts: string[] = [];
      for (const s of page) {
        const key = s.key.map((code, i) => keyIndex[i].of(code)).join(':');
        const seriesAttrs = withAttributes(shape.detail) ? seriesAttributes(s).map(([, v], i) => seriesAttrIndex[i].of(v)) : [];
        const obsValues = (o: SdmxSeries['observations'][number]) => [o.value, ...(shape.detail === 'full' ? observationAttributes(shape, o).map(([, v], i) => obsAttrIndex[i].of(v)) : [])];
        if (flat) {
          for (const o of s.observations) parts.push(`${JSON.stringify(`${key}:${time.of(o.period)}`)}:${JSON.stringify([...obsValues(o), ...(shape.detail === 'full' ? seriesAttrs : [])])}`);
          continue;
        }
        const observations = withObservations(shape.detail) ? Object.fromEntries(s.observations.map((o) => [String(time.of(o.period)), obsValues(o)])) : {};
        parts.push(`${JSON.stringify(key)}:${JSON.stringify({ attributes: seriesAttrs, observations })}`);
      }
      if (!parts.length) return '';
      const text = `${first ? '' : ','}${parts.join(',')}`;
      first = false;
      return text;
    },
    close: () => {
      const keys = shape.dimensions.map((d, i) => component(d, keyIndex[i].values, i));
      const timeComponent = { id: TIME_DIMENSION, name: name(TIME_DIMENSION), keyPosition: shape.dimensions.length, role: 'time', values: time.values.map(periodValue) };
      const seriesAttrs = withAttributes(shape.detail) ? SERIES_ATTRIBUTES.map((id, i) => component(id, seriesAttrIndex[i].values, undefined, { relationship: { dimensions: ['INDICATOR'] } })) : [];
      const obsAttrs = shape.detail === 'full' ? OBSERVATION_ATTRIBUTES.map((id, i) => component(id, obsAttrIndex[i].values, undefined, { relationship: { primaryMeasure: PRIMARY_MEASURE } })) : [];
      const structure = {
        links: [
          DATAFLOW_LINK,
          { rel: 'datastructure', urn: `urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure=${AGENCY}:${DSD_ID}(${VERSION})` },
        ],
        name: 'Gender development statistics',
        dimensions: flat ? { dataSet: [], series: [], observation: [...keys, timeComponent] } : { dataSet: [], series: keys, observation: [timeComponent] },
        attributes: flat ? { dataSet: [], series: [], observation: [...obsAttrs, ...seriesAttrs] } : { dataSet: [], series: seriesAttrs, observation: obsAttrs },
      };
      return `}}],"structure":${JSON.stringify(structure)}}}\n`;
    },
  };
}

/** SDMX-CSV 1.0 (DATAFLOW first) or 2.0 (STRUCTURE, STRUCTURE_ID, ACTION first): one line per observation, or per series without observations. */
function csvWriter(shape: DataShape, version: 1 | 2): DataWriter {
  const lead = version === 1 ? [DATAFLOW_CSV_REF] : ['dataflow', DATAFLOW_CSV_REF, 'I'];
  const observations = withObservations(shape.detail);
  const attributes = [...(withAttributes(shape.detail) ? SERIES_ATTRIBUTES : []), ...(shape.detail === 'full' ? OBSERVATION_ATTRIBUTES : [])];
  const columns = [...(version === 1 ? ['DATAFLOW'] : ['STRUCTURE', 'STRUCTURE_ID', 'ACTION']), ...shape.dimensions, ...(observations ? [TIME_DIMENSION, PRIMARY_MEASURE] : []), ...attributes];
  return {
    open: () => csvLine(columns),
    page: (page) =>
      page
        .map((s) => {
          const seriesAttrs = withAttributes(shape.detail) ? seriesAttributes(s).map(([, v]) => v) : [];
          if (!observations) return csvLine([...lead, ...s.key, ...seriesAttrs]);
          return s.observations.map((o) => csvLine([...lead, ...s.key, o.period, number(o.value), ...seriesAttrs, ...(shape.detail === 'full' ? observationAttributes(shape, o).map(([, v]) => v) : [])])).join('');
        })
        .join(''),
    close: () => '',
  };
}

export function dataWriter(format: DataFormat, shape: DataShape): DataWriter {
  if (format === 'generic') return genericWriter(shape);
  if (format === 'structurespecific') return structureSpecificWriter(shape);
  if (format === 'json') return jsonWriter(shape);
  return csvWriter(shape, format === 'csv2' ? 2 : 1);
}

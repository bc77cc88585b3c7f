import type { RequestContext } from '../request-context';
import { dimensionsOf } from '../indicators/dimension-catalogue';
import { TOTAL_CODE } from '../indicators/dimension-key';
import { Dimension } from '../indicators/dimension.entity';
import { IndicatorReference } from '../indicators/indicator-reference.entity';
import { Indicator } from '../indicators/indicator.entity';
import { AreaCode, readAreaCodes } from './sdmx-areas';
import {
  AGENCY, CONCEPT_SCHEME_ID, CORE_DIMENSIONS, DATAFLOW_ID, DSD_ID, FREQUENCIES, OBS_STATUS_CODES, OBSERVATION_ATTRIBUTES, PRIMARY_MEASURE, SERIES_ATTRIBUTES,
  SEX_CODES, TIME_DIMENSION, UNIT_MULT_CODES, unitMeasureCode, unitMeasureName, VERSION,
} from './sdmx-model';
import { attrs, headerParts, names, NS, XML_DECLARATION, xmlEscape } from './sdmx-xml';

export type StructureType = 'dataflow' | 'datastructure' | 'codelist' | 'conceptscheme';
export const STRUCTURE_TYPES: StructureType[] = ['dataflow', 'datastructure', 'codelist', 'conceptscheme'];

/** One code of a code list: its id, names, parent (a code of the same list) and annotations. */
export interface CodeItem {
  id: string;
  name: string;
  nameVi?: string | null;
  description?: string | null;
  parent?: string | null;
  annotations?: { type: string; title?: string | null; text?: string | null; url?: string | null }[];
}

export interface CodelistDef {
  id: string;
  name: string;
  nameVi: string;
  /** Read when written: CL_AREA depends on the viewer and is the only large list. */
  codes: () => Promise<CodeItem[]>;
}

interface ConceptDef {
  id: string;
  name: string;
  nameVi: string;
}

/** What the hub's structures are made of for one viewer: the catalogue, the dimension code lists, and the viewer's area. */
export interface StructureCatalogue {
  dimensions: Dimension[];
  indicators: Indicator[];
  codelists: CodelistDef[];
  concepts: ConceptDef[];
}

const urn = (cls: string, id: string) => `urn:sdmx:org.sdmx.infomodel.${cls}=${AGENCY}:${id}(${VERSION})`;

const codelistOf = (dimension: string) => (dimension === 'REF_AREA' ? 'CL_AREA' : `CL_${dimension}`);

function referenceAnnotations(references: IndicatorReference[]): CodeItem['annotations'] {
  return references.map((r) => ({ type: 'REFERENCE', title: `${r.framework} ${r.code}`, text: r.title, url: r.url }));
}

function indicatorCodes(indicators: Indicator[], references: IndicatorReference[][]): CodeItem[] {
  return indicators.map((indicator, i) => ({
    id: indicator.code,
    name: indicator.nameEn,
    nameVi: indicator.name,
    description: indicator.source,
    annotations: [
      { type: 'UNIT_MEASURE', title: unitMeasureCode(indicator.unitOfMeasure) },
      { type: 'VALUE_TYPE', title: indicator.valueType },
      { type: 'ENTRY_LEVEL', title: indicator.entryLevel },
      ...(dimensionsOf(indicator).length ? [{ type: 'DIMENSIONS', title: dimensionsOf(indicator).join(',') }] : []),
      ...(referenceAnnotations(references[i]) ?? []),
    ],
  }));
}

function areaItem(area: AreaCode): CodeItem {
  return {
    id: area.code,
    name: area.nameEn,
    nameVi: area.fullName,
    parent: area.parent,
    annotations: [
      { type: 'LEVEL', title: area.level },
      ...(area.validFrom ? [{ type: 'VALID_FROM', title: area.validFrom }] : []),
      ...(area.validTo ? [{ type: 'VALID_TO', title: area.validTo }] : []),
    ],
  };
}

/** The catalogue behind every structure answer: three small reads (indicators, dimensions, references); CL_AREA only when written. */
export async function readStructureCatalogue(ctx: RequestContext): Promise<StructureCatalogue> {
  const [indicators, dimensionMap] = await Promise.all([ctx.loaders.allIndicators.load('all'), ctx.loaders.dimensions.load('all')]);
  const dimensions = [...dimensionMap.values()];
  const references = (await ctx.loaders.referencesByIndicator.loadMany(indicators.map((i) => i.id))).map((r) => (r instanceof Error ? [] : r));
  const units = new Map<string, string>();
  for (const i of indicators) units.set(unitMeasureCode(i.unitOfMeasure), i.unitOfMeasure);
  const fixed = (items: CodeItem[]) => async () => items;
  const codelists: CodelistDef[] = [
    { id: 'CL_FREQ', name: 'Frequency', nameVi: 'Tần suất', codes: fixed(FREQUENCIES.map((f) => ({ id: f.code, name: f.name, nameVi: f.nameVi }))) },
    { id: 'CL_AREA', name: 'Administrative units', nameVi: 'Đơn vị hành chính', codes: async () => (await readAreaCodes(ctx)).map(areaItem) },
    { id: 'CL_INDICATOR', name: 'Gender development indicators', nameVi: 'Chỉ tiêu thống kê phát triển giới', codes: fixed(indicatorCodes(indicators, references)) },
    { id: 'CL_SEX', name: 'Sex', nameVi: 'Giới tính', codes: fixed(SEX_CODES.map((s) => ({ id: s.code, name: s.name, nameVi: s.nameVi }))) },
    ...dimensions.map((d) => ({
      id: codelistOf(d.code),
      name: d.nameEn,
      nameVi: d.name,
      codes: fixed([...d.values.map((v) => ({ id: v.code, name: v.nameEn, nameVi: v.name })), { id: TOTAL_CODE, name: 'Total', nameVi: 'Tổng số' }]),
    })),
    { id: 'CL_UNIT_MEASURE', name: 'Unit of measure', nameVi: 'Đơn vị tính', codes: fixed([...units].sort(([a], [b]) => a.localeCompare(b)).map(([id, text]) => ({ id, name: unitMeasureName(text), nameVi: text }))) },
    { id: 'CL_UNIT_MULT', name: 'Unit multiplier', nameVi: 'Hệ số nhân', codes: fixed(UNIT_MULT_CODES.map((c) => ({ id: c.code, name: c.name, nameVi: c.nameVi }))) },
    { id: 'CL_OBS_STATUS', name: 'Observation status', nameVi: 'Tình trạng số liệu', codes: fixed(OBS_STATUS_CODES.map((c) => ({ id: c.code, name: c.name, nameVi: c.nameVi }))) },
  ];
  const concepts: ConceptDef[] = [
    { id: 'FREQ', name: 'Frequency', nameVi: 'Tần suất' },
    { id: 'REF_AREA', name: 'Reference area', nameVi: 'Đơn vị hành chính' },
    { id: 'INDICATOR', name: 'Indicator', nameVi: 'Chỉ tiêu' },
    { id: 'SEX', name: 'Sex', nameVi: 'Giới tính' },
    ...dimensions.map((d) => ({ id: d.code, name: d.nameEn, nameVi: d.name })),
    { id: TIME_DIMENSION, name: 'Time period', nameVi: 'Kỳ' },
    { id: PRIMARY_MEASURE, name: 'Observation value', nameVi: 'Giá trị' },
    { id: 'UNIT_MEASURE', name: 'Unit of measure', nameVi: 'Đơn vị tính' },
    { id: 'UNIT_MULT', name: 'Unit multiplier', nameVi: 'Hệ số nhân' },
    { id: 'OBS_STATUS', name: 'Observation status', nameVi: 'Tình trạng số liệu' },
    { id: 'REPORTING_UNITS', name: 'Reporting units', nameVi: 'Số đơn vị đã báo cáo' },
    { id: 'EXPECTED_UNITS', name: 'Expected units', nameVi: 'Số đơn vị phải báo cáo' },
  ];
  return { dimensions, indicators, codelists, concepts };
}

const ref = (values: Record<string, string>) => `<Ref${attrs(values)}/>`;
const conceptRef = (id: string) => `<structure:ConceptIdentity>${ref({ id, maintainableParentID: CONCEPT_SCHEME_ID, maintainableParentVersion: VERSION, agencyID: AGENCY, package: 'conceptscheme', class: 'Concept' })}</structure:ConceptIdentity>`;
const enumeration = (codelist: string) => `<structure:LocalRepresentation><structure:Enumeration>${ref({ id: codelist, version: VERSION, agencyID: AGENCY, package: 'codelist', class: 'Codelist' })}</structure:Enumeration></structure:LocalRepresentation>`;
const textFormat = (textType: string) => `<structure:LocalRepresentation><structure:TextFormat textType="${textType}"/></structure:LocalRepresentation>`;
const maintainable = (cls: string, id: string) => attrs({ id, urn: urn(cls, id), agencyID: AGENCY, version: VERSION, isFinal: 'true' });

function annotationsXml(annotations: CodeItem['annotations']): string {
  if (!annotations?.length) return '';
  const one = (a: NonNullable<CodeItem['annotations']>[number]) =>
    '<common:Annotation>' +
    (a.title ? `<common:AnnotationTitle>${xmlEscape(a.title)}</common:AnnotationTitle>` : '') +
    `<common:AnnotationType>${xmlEscape(a.type)}</common:AnnotationType>` +
    (a.url ? `<common:AnnotationURL>${xmlEscape(a.url)}</common:AnnotationURL>` : '') +
    (a.text ? `<common:AnnotationText xml:lang="vi">${xmlEscape(a.text.normalize('NFC'))}</common:AnnotationText>` : '') +
    '</common:Annotation>';
  return `<common:Annotations>${annotations.map(one).join('')}</common:Annotations>`;
}

function dataflowXml(): string {
  return (
    `<structure:Dataflow${maintainable('datastructure.Dataflow', DATAFLOW_ID)}>${names('common:Name', 'Gender development statistics: aggregates of the hub for every administrative unit', 'Thống kê phát triển giới: số liệu tổng hợp theo đơn vị hành chính')}` +
    `<structure:Structure>${ref({ id: DSD_ID, version: VERSION, agencyID: AGENCY, package: 'datastructure', class: 'DataStructure' })}</structure:Structure></structure:Dataflow>`
  );
}

function conceptSchemeXml(catalogue: StructureCatalogue): string {
  const concepts = catalogue.concepts.map((c) => `<structure:Concept${attrs({ id: c.id, urn: `${urn('conceptscheme.Concept', CONCEPT_SCHEME_ID)}.${c.id}` })}>${names('common:Name', c.name, c.nameVi)}</structure:Concept>`).join('');
  return `<structure:ConceptScheme${maintainable('conceptscheme.ConceptScheme', CONCEPT_SCHEME_ID)}>${names('common:Name', 'Concepts of gender development statistics', 'Khái niệm thống kê phát triển giới')}${concepts}</structure:ConceptScheme>`;
}

function dataStructureXml(catalogue: StructureCatalogue): string {
  const dimensionIds = [...CORE_DIMENSIONS, ...catalogue.dimensions.map((d) => d.code)];
  const dimensions = dimensionIds.map((id, i) => `<structure:Dimension${attrs({ id, position: i + 1 })}>${conceptRef(id)}${enumeration(codelistOf(id))}</structure:Dimension>`).join('');
  const time = `<structure:TimeDimension${attrs({ id: TIME_DIMENSION, position: dimensionIds.length + 1 })}>${conceptRef(TIME_DIMENSION)}${textFormat('ObservationalTimePeriod')}</structure:TimeDimension>`;
  const byIndicator = `<structure:AttributeRelationship><structure:Dimension>${ref({ id: 'INDICATOR' })}</structure:Dimension></structure:AttributeRelationship>`;
  const byObservation = `<structure:AttributeRelationship><structure:PrimaryMeasure>${ref({ id: PRIMARY_MEASURE })}</structure:PrimaryMeasure></structure:AttributeRelationship>`;
  const representation: Record<string, string> = {
    UNIT_MEASURE: enumeration('CL_UNIT_MEASURE'),
    UNIT_MULT: enumeration('CL_UNIT_MULT'),
    OBS_STATUS: enumeration('CL_OBS_STATUS'),
    REPORTING_UNITS: textFormat('Integer'),
    EXPECTED_UNITS: textFormat('Integer'),
  };
  const attribute = (id: string, relationship: string) => `<structure:Attribute${attrs({ id, assignmentStatus: id === 'OBS_STATUS' || id === 'UNIT_MEASURE' ? 'Mandatory' : 'Conditional' })}>${conceptRef(id)}${representation[id]}${relationship}</structure:Attribute>`;
  const attributes = [...SERIES_ATTRIBUTES.map((id) => attribute(id, byIndicator)), ...OBSERVATION_ATTRIBUTES.map((id) => attribute(id, byObservation))].join('');
  const measure = `<structure:PrimaryMeasure id="${PRIMARY_MEASURE}">${conceptRef(PRIMARY_MEASURE)}${textFormat('Double')}</structure:PrimaryMeasure>`;
  return (
    `<structure:DataStructure${maintainable('datastructure.DataStructure', DSD_ID)}>${names('common:Name', 'Gender development statistics', 'Thống kê phát triển giới')}<structure:DataStructureComponents>` +
    `<structure:DimensionList id="DimensionDescriptor">${dimensions}${time}</structure:DimensionList>` +
    `<structure:AttributeList id="AttributeDescriptor">${attributes}</structure:AttributeList>` +
    `<structure:MeasureList id="MeasureDescriptor">${measure}</structure:MeasureList>` +
    '</structure:DataStructureComponents></structure:DataStructure>'
  );
}

/** A code list, in pieces of about 500 codes (CL_AREA of the whole country has tens of thousands). */
async function* codelistXml(list: CodelistDef): AsyncGenerator<string> {
  yield `<structure:Codelist${maintainable('codelist.Codelist', list.id)}>${names('common:Name', list.name, list.nameVi)}`;
  const codes = await list.codes();
  for (let at = 0; at < codes.length; at += 500) {
    yield codes
      .slice(at, at + 500)
      .map(
        (c) =>
          `<structure:Code${attrs({ id: c.id, urn: `${urn('codelist.Code', list.id)}.${c.id}` })}>${annotationsXml(c.annotations)}${names('common:Name', c.name, c.nameVi)}` +
          (c.description ? `<common:Description xml:lang="vi">${xmlEscape(c.description.normalize('NFC'))}</common:Description>` : '') +
          (c.parent ? `<structure:Parent>${ref({ id: c.parent })}</structure:Parent>` : '') +
          '</structure:Code>',
      )
      .join('');
  }
  yield '</structure:Codelist>';
}

/** What one structure answer holds: the dataflow, the DSD, code lists (by id), the concept scheme. */
export interface StructureSelection {
  dataflow: boolean;
  datastructure: boolean;
  codelists: CodelistDef[];
  conceptscheme: boolean;
}

/** The SDMX-ML 2.1 structure message, piece by piece, in the order the schema wants the artefacts. */
export async function* structureMessage(requestId: string, catalogue: StructureCatalogue, selection: StructureSelection): AsyncGenerator<string> {
  yield `${XML_DECLARATION}<message:Structure xmlns:message="${NS.message}" xmlns:common="${NS.common}" xmlns:structure="${NS.structure}">`;
  yield `<message:Header>${headerParts(requestId, new Date())}</message:Header><message:Structures>`;
  if (selection.dataflow) yield `<structure:Dataflows>${dataflowXml()}</structure:Dataflows>`;
  if (selection.codelists.length) {
    yield '<structure:Codelists>';
    for (const list of selection.codelists) yield* codelistXml(list);
    yield '</structure:Codelists>';
  }
  if (selection.conceptscheme) yield `<structure:Concepts>${conceptSchemeXml(catalogue)}</structure:Concepts>`;
  if (selection.datastructure) yield `<structure:DataStructures>${dataStructureXml(catalogue)}</structure:DataStructures>`;
  yield '</message:Structures></message:Structure>\n';
}

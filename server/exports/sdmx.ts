import { ServerResponse } from 'node:http';
import { csvLine } from './csv-writer';
import { ExportRow, formatNumber, writeChunk } from './observation-export';

export const SDMX_DATAFLOW = 'BDG:GENDER_INDICATORS(1.0)';
export const SDMX_COLUMNS = ['DATAFLOW', 'REF_AREA', 'INDICATOR', 'SEX', 'TIME_PERIOD', 'OBS_VALUE', 'UNIT_MEASURE', 'OBS_STATUS'] as const;

const SEX_CODES: Record<string, string> = { FEMALE: 'F', MALE: 'M', TOTAL: '_T' };

/** SDMX time periods: 2026, 2026-S1, 2026-Q3, 2026-07. */
export function sdmxTimePeriod(period: string): string {
  return period.replace(/^(\d{4})([SQ]\d)$/, '$1-$2');
}

export function sdmxSex(sex: string): string {
  return SEX_CODES[sex] ?? '_T';
}

/** A for approved, P (provisional) for drafts and submitted ones. */
export function sdmxStatus(status: string): string {
  return status === 'APPROVED' ? 'A' : 'P';
}

export function sdmxLine(r: ExportRow): string {
  return csvLine([SDMX_DATAFLOW, r.unit, r.indicator, sdmxSex(r.sex), sdmxTimePeriod(r.period), formatNumber(r.value), r.unitOfMeasure, sdmxStatus(r.status)]);
}

/**
 * SDMX 2.1 CSV. The series key has no further disaggregation, so only undisaggregated rows are
 * written (the caller filters them); otherwise one key would carry several values.
 */
export async function writeSdmxCsv(res: ServerResponse, pages: AsyncIterable<ExportRow[]>): Promise<void> {
  await writeChunk(res, csvLine([...SDMX_COLUMNS]));
  for await (const page of pages) {
    const lines = page.filter((r) => !r.disaggregation).map(sdmxLine);
    if (lines.length) await writeChunk(res, lines.join(''));
  }
}

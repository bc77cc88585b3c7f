import { DataSource } from 'typeorm';
import { concatSql } from './sql';

/**
 * The last day of the period stored in `column` ('2026', '2026S1', '2026Q3', '2026-02'), as a
 * YYYY-MM-DD SQL expression on both databases: the twin of `periodEnd` for rows, so the access
 * layer can place each observation on the date its data belong to.
 */
export function periodEndSql(dataSource: DataSource, column: string): string {
  const year = `SUBSTR(${column}, 1, 4)`;
  const tail = `SUBSTR(${column}, 5, 2)`;
  const month = `SUBSTR(${column}, 6, 2)`;
  const leap = `((${year} + 0) % 4 = 0 AND ((${year} + 0) % 100 <> 0 OR (${year} + 0) % 400 = 0))`;
  const suffix =
    `CASE WHEN LENGTH(${column}) = 4 THEN '-12-31'` +
    ` WHEN ${tail} = 'S1' THEN '-06-30' WHEN ${tail} = 'S2' THEN '-12-31'` +
    ` WHEN ${tail} = 'Q1' THEN '-03-31' WHEN ${tail} = 'Q2' THEN '-06-30' WHEN ${tail} = 'Q3' THEN '-09-30' WHEN ${tail} = 'Q4' THEN '-12-31'` +
    ` WHEN ${month} = '02' THEN CASE WHEN ${leap} THEN '-02-29' ELSE '-02-28' END` +
    ` WHEN ${month} IN ('04', '06', '09', '11') THEN ${concatSql(dataSource, "'-'", month, "'-30'")}` +
    ` ELSE ${concatSql(dataSource, "'-'", month, "'-31'")} END`;
  return concatSql(dataSource, year, suffix);
}

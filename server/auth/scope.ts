import type { DataSource } from 'typeorm';
import type { AccessScope } from './access';

/**
 * What a domain's loaders need of a request: the database and the viewer's scope. Loaders take
 * this rather than the whole RequestContext, which is assembled from them (no circle).
 */
export interface ScopedContext {
  dataSource: DataSource;
  access: AccessScope;
  /** The request's date: rows are placed in the area on a date, and "today" must not straddle midnight. */
  today: string;
}

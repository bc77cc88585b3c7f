import { DataSource } from 'typeorm';
import { AccessScope } from './access';
import { createLoaders, Loaders } from '../loaders';

/** Everything a request carries; services take it as their first argument. */
export interface RequestContext {
  requestId: string;
  dataSource: DataSource;
  access: AccessScope;
  loaders: Loaders;
  /** The date "today" for this request, so one request never straddles midnight. */
  today: string;
}

export function createRequestContext(dataSource: DataSource, access: AccessScope, requestId: string, today: string): RequestContext {
  const context = { requestId, dataSource, access, today } as RequestContext;
  context.loaders = createLoaders(context);
  return context;
}

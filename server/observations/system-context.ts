import { DataSource } from 'typeorm';
import { Role } from '../auth/role';
import { createRequestContext, RequestContext } from '../request-context';
import { todayIso } from '../core/scalars';

/** A request context for command-line tools and seeding, acting as `role` of `unit` (default a national ADMIN). */
export function systemContext(dataSource: DataSource, options: { unit?: string; role?: Role; subject?: string } = {}): Promise<RequestContext> {
  const claims = { sub: options.subject ?? 'system', unit: options.unit ?? 'VN', role: options.role ?? Role.ADMIN };
  return createRequestContext(dataSource, claims, `system-${Date.now()}`, todayIso());
}

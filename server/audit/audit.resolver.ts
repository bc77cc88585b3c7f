import { Args, ArgsType, Ctx, Field, Int, ObjectType, Query, Resolver } from 'type-graphql';
import { Role } from '../auth/role';
import { restrictRows } from '../auth/row-kinds';
import type { RequestContext } from '../request-context';
import { ConnectionType, readPage, toConnection } from '../core/pagination';
import { AuditEntry } from './audit-entry.entity';

@ObjectType()
export class AuditEntryConnection extends ConnectionType(AuditEntry, 'AuditEntry') {}

@ArgsType()
class AuditLogArgs {
  @Field(() => Int, { nullable: true })
  first?: number | null;

  @Field(() => String, { nullable: true })
  after?: string | null;
}

@Resolver(() => AuditEntry)
export class AuditResolver {
  @Query(() => AuditEntryConnection, { description: 'Writes made by viewers of your subtree, newest first (ADMIN only)' })
  async auditLog(@Ctx() ctx: RequestContext, @Args() { first, after }: AuditLogArgs): Promise<AuditEntryConnection> {
    ctx.access.requireRole(Role.ADMIN);
    const page = readPage(first, after);
    const qb = restrictRows(ctx, 'auditEntry', ctx.dataSource.getRepository(AuditEntry).createQueryBuilder('a'), 'a');
    const [rows, total] = await Promise.all([qb.clone().orderBy('a.id', 'DESC').offset(page.offset).limit(page.limit).getMany(), qb.getCount()]);
    return toConnection(rows, total, page);
  }
}

import { registerEnumType } from 'type-graphql';

export enum Role {
  /** Everything in its subtree, users and metadata. */
  ADMIN = 'ADMIN',
  /** Writes plans and observations for its own unit and its villages. */
  EDITOR = 'EDITOR',
  /** Reads its subtree. */
  ANALYST = 'ANALYST',
  /** Reads approved observations and statistics of its subtree, and exports. */
  STATISTICS_OFFICE = 'STATISTICS_OFFICE',
}

registerEnumType(Role, { name: 'Role' });

export function parseRole(value: unknown): Role | null {
  return typeof value === 'string' && (Object.values(Role) as string[]).includes(value) ? (value as Role) : null;
}

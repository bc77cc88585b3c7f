import 'reflect-metadata';
import { signToken } from '../auth/jwt';
import { parseRole, Role } from '../auth/role';
import { loadConfig } from '../core/config';

const USAGE = 'usage: npm run --silent token -- --unit CODE --role ADMIN|EDITOR|ANALYST|STATISTICS_OFFICE [--sub NAME] [--days N]';

function option(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

function main(): void {
  const unit = option('unit');
  const role = parseRole(option('role')?.toUpperCase());
  const days = Number(option('days') ?? 30);
  if (!unit || !role || !(days > 0)) {
    console.error(USAGE);
    console.error(`roles: ${Object.values(Role).join(', ')}`);
    process.exit(2);
  }
  const sub = option('sub') ?? `${role.toLowerCase()}@${unit}`;
  console.log(signToken({ sub, unit, role }, loadConfig().jwtSecret, Math.round(days * 24 * 3600)));
}

main();

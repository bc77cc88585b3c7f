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
  const unit = option('unit')?.trim();
  const role = parseRole(option('role')?.toUpperCase());
  const config = loadConfig();
  const maxDays = config.maxTokenSeconds / 86400;
  const days = Number(option('days') ?? Math.min(30, maxDays));
  if (!unit || !role || !(days > 0)) {
    console.error(USAGE);
    console.error(`roles: ${Object.values(Role).join(', ')}`);
    process.exit(2);
  }
  if (days > maxDays) {
    console.error(`--days ${days} is longer than the server accepts (MAX_TOKEN_DAYS=${maxDays})`);
    process.exit(2);
  }
  const sub = option('sub') ?? `${role.toLowerCase()}@${unit}`;
  console.log(signToken({ sub, unit, role }, config.jwtSecret, Math.round(days * 24 * 3600)));
}

main();

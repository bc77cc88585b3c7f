import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { PROJECT_ROOT } from '../server/core/config';

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  os: string;
}

export interface CodeVersion {
  commit: string;
  /** Files under server/ and migrations/ that differ from the commit: the numbers are of that working tree. */
  uncommitted: string[];
}

function procField(file: string, field: string): string | null {
  try {
    const line = fs.readFileSync(file, 'utf8').split('\n').find((l) => l.startsWith(field));
    return line ? line.split(':').slice(1).join(':').trim() : null;
  } catch {
    return null;
  }
}

/** CPU model and RAM from /proc (Linux), falling back to what Node knows. */
export function describeMachine(): Machine {
  const memKiB = Number((procField('/proc/meminfo', 'MemTotal') ?? '').replace(/\D/g, ''));
  return {
    cpu: procField('/proc/cpuinfo', 'model name') ?? os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memoryGiB: memKiB ? memKiB / 2 ** 20 : os.totalmem() / 2 ** 30,
    node: process.version,
    os: `${os.type()} ${os.release()}`,
  };
}

export function codeVersion(): CodeVersion {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: PROJECT_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    return {
      commit: git('log', '-1', '--format=%h %s').trim(),
      // Porcelain lines are "XY path": the status columns may start with a space, so no trim before slicing.
      uncommitted: git('status', '--porcelain', '--', 'server', 'migrations').split('\n').filter(Boolean).map((l) => l.slice(3)),
    };
  } catch {
    return { commit: 'unknown (no git)', uncommitted: [] };
  }
}

export function loadAverage(): string {
  return os.loadavg().map((l) => l.toFixed(2)).join(' / ');
}

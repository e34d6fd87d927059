import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

// PGlite is PostgreSQL in one process: two processes on one data directory each believe they own it, number
// documents from the same sequence and overwrite each other's pages. One process per PGLITE_DIR, then — the way
// PostgreSQL's own postmaster.pid works: a lock file beside the directory holding the owner's pid (and, on Linux,
// its start time, so that a recycled pid is not mistaken for the owner). A lock whose process is gone is stale and
// taken over; a crashed server does not leave the directory stuck.

export class DataDirectoryLockedError extends Error {
  constructor(
    readonly dir: string,
    readonly pid: number,
  ) {
    super(`PGLITE_DIR ${dir} is in use by process ${pid}: one process at a time may open the embedded database`);
    this.name = 'DataDirectoryLockedError';
  }
}

export interface DataDirectoryLock {
  readonly path: string;
  release(): void;
}

interface Holder {
  pid: number;
  started?: string;
}

/** The start time of a process (field 22 of /proc/<pid>/stat), where the system tells it. */
function startTimeOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count fields after its closing one.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function isAlive(holder: Holder): boolean {
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const started = startTimeOf(holder.pid);
  return !holder.started || !started || started === holder.started;
}

function readHolder(path: string): Holder | null {
  try {
    const holder = JSON.parse(readFileSync(path, 'utf8')) as Holder;
    return Number.isInteger(holder.pid) ? holder : null;
  } catch {
    return null; // unreadable or half written: treated as stale
  }
}

/** Takes `<dir>.lock` for this process, or throws DataDirectoryLockedError naming the live holder. */
export function lockDataDirectory(dir: string): DataDirectoryLock {
  const path = `${resolve(dir)}.lock`;
  const me: Holder = { pid: process.pid, started: startTimeOf(process.pid) };
  // A first start on a fresh clone: the data directory's parent (./data) does not exist yet.
  mkdirSync(dirname(path), { recursive: true });
  for (let attempt = 0; ; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx'); // atomic: exactly one process creates it
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 2) throw error;
      const holder = readHolder(path);
      if (holder && holder.pid !== process.pid && isAlive(holder)) throw new DataDirectoryLockedError(dir, holder.pid);
      rmSync(path, { force: true }); // stale: its process is gone
      continue;
    }
    writeSync(fd, JSON.stringify(me));
    closeSync(fd);
    break;
  }
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    process.off('exit', release);
    if (readHolder(path)?.pid === process.pid) rmSync(path, { force: true });
  };
  process.on('exit', release);
  return { path, release };
}

import * as fs from 'node:fs';

/** True when the process is stopped (SIGSTOP, SIGTSTP) or traced: it cannot act on SIGTERM or a closed channel. */
export function isStopped(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The state follows the command name, which is in parentheses and may contain spaces.
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state === 'T' || state === 't';
  } catch {
    return false;
  }
}

const SETPRIV = '/usr/bin/setpriv';
let wrapper: { command: string; args: string[] } | null | undefined;

/**
 * A command prefix that makes the kernel SIGKILL the child when this process dies (Linux
 * PR_SET_PDEATHSIG through util-linux's setpriv), or null where it is unavailable. A SIGKILL
 * reaches even a stopped process, so no app outlives a runner that was killed outright.
 */
export function parentDeathWrapper(): { command: string; args: string[] } | null {
  if (wrapper === undefined) wrapper = process.platform === 'linux' && fs.existsSync(SETPRIV) ? { command: SETPRIV, args: ['--pdeathsig', 'SIGKILL'] } : null;
  return wrapper;
}

import { ConfigError } from '../errors';
import type { FaultSchedule } from './fault-schedule';
import type { HydraOptions } from './options';

/**
 * What hydra would execute on this machine because a setting says so: a planned fault's command
 * and undo, the command launcher's command, and the librdkafka properties that make the client run
 * a program or load a library. Typed on the command line (or in a notebook's code) such a setting
 * is the user's own; written in a file — a workload file, a copied study, a hydra.ini from
 * elsewhere — it is someone's, and runs only when the user allows it (`--allow_commands`).
 */
export interface ExecutedCommand {
  /** Where it is written: `--fault`, `hydra.ini [faults] fault`, `study.yaml grid.workloads[1].fault`, ... */
  source: string;
  /** What runs, as a person would type it. */
  text: string;
  /** Written in a file rather than typed on the command line or in code. */
  fromFile: boolean;
}

/** Where a setting's value came from. */
export interface Provenance {
  source: string;
  fromFile: boolean;
}

/** librdkafka properties whose value is a program it runs or a library it loads. */
export const EXECUTING_LIBRDKAFKA_PROPERTIES: readonly string[] = ['sasl.kerberos.kinit.cmd', 'plugin.library.paths'];

/** An argv as a person would type it: words with spaces or quotes quoted. */
export function argvText(argv: readonly string[]): string {
  return argv.map((w) => (w === '' || /[\s'"\\;]/.test(w) ? `'${w.replace(/'/g, `'\\''`)}'` : w)).join(' ');
}

/** The commands and undos of a fault schedule. */
export function faultCommands(fault: FaultSchedule, where: Provenance): ExecutedCommand[] {
  const out: ExecutedCommand[] = [];
  for (const f of fault.faults) {
    if (f.action.kind !== 'command') continue;
    out.push({ ...where, text: argvText(f.action.command) });
    if (f.action.undo) out.push({ ...where, text: `${argvText(f.action.undo)} (undo)` });
  }
  return out;
}

/**
 * Every command the options would have hydra (or its clients) execute, each named by where it is
 * written (`provenance('librdkafka')` names the file or field holding the passthrough sections).
 */
export function commandsOf(
  options: Pick<HydraOptions, 'fault' | 'launcher' | 'launcher_command' | 'librdkafka'>,
  provenance: (name: 'fault' | 'launcher_command' | 'librdkafka') => Provenance,
): ExecutedCommand[] {
  const out = faultCommands(options.fault, provenance('fault'));
  if (options.launcher === 'command' && options.launcher_command.trim() !== '')
    out.push({ ...provenance('launcher_command'), text: `${options.launcher_command} (the command launcher's, for every app)` });
  for (const section of ['client', 'producer', 'consumer'] as const)
    for (const key of EXECUTING_LIBRDKAFKA_PROPERTIES) {
      const value = options.librdkafka?.[section]?.[key];
      if (value !== undefined) {
        const where = provenance('librdkafka');
        out.push({ source: `${where.source} [${section}] ${key}`, fromFile: where.fromFile, text: String(value) });
      }
    }
  return out;
}

/** The commands of a study's workloads (their faults), each named by the workload it is in. */
export function workloadCommands(workloads: readonly { fault?: FaultSchedule }[] | undefined, provenance: (index: number) => Provenance): ExecutedCommand[] {
  return (workloads ?? []).flatMap((w, i) => (w.fault ? faultCommands(w.fault, provenance(i)) : []));
}

/**
 * Refuses, before anything starts, a command written in a file unless the user allowed commands
 * on the command line: one line naming the file, the setting and the command.
 */
export function refuseFileCommands(commands: readonly ExecutedCommand[], allowed: boolean, flag = '--allow_commands'): void {
  if (allowed) return;
  const first = commands.find((c) => c.fromFile);
  if (!first) return;
  const more = commands.filter((c) => c.fromFile).length - 1;
  throw new ConfigError(
    first.source,
    first.text,
    `runs a command on this machine, and it is written in a file rather than typed: hydra runs commands from files only when you add ${flag} (read the file first)${more > 0 ? `; ${more} more command${more > 1 ? 's' : ''} there` : ''}`,
  );
}

/** Lines listing the commands a run will execute, for the user to see before anything starts. */
export function commandListing(commands: readonly ExecutedCommand[]): string[] {
  if (commands.length === 0) return [];
  return [
    `this run executes ${commands.length} command${commands.length > 1 ? 's' : ''} on this machine:`,
    ...commands.map((c) => `  ${c.text}    (${c.source})`),
  ];
}

import type { FlagDef, ParsedArgs } from '../../config/flags';
import type { HydraOptions } from '../../config/options';
import { ConfigError } from '../../errors';
import { didYouMean } from '../../config/suggest';
import { ombStudyPlan, readOmbWorkload, type OmbStudyPlan } from '../../omb/workload';
import type { StudyInput } from '../../study/create';
import type { StudyKind } from '../../study/spec';
import type { CliCommand, CliIO } from '../command';
import { gridFromFlags, newStudyFlags, runNewStudy, SEARCH_FLAGS, searchFromFlags } from './new-study';
import { optionsFromFlags } from './options';
import { studyIdFlag } from './study-id';

/** OpenMessaging Benchmark workloads run as hydra studies (omb/workload.ts maps them). */

export const OMB_WORKLOAD_FLAG: FlagDef = {
  name: 'omb_workload',
  kind: 'string',
  unit: 'file',
  help: 'an OpenMessaging Benchmark workload (YAML) sets the point: topics, partitions, subscriptions, producers, rate, size, payload, keys, warm-up, duration',
};

/**
 * The largest client count per sub app, at most `perApp`, that fills whole apps with `clients`:
 * an OMB workload fixes the client count, hydra.ini the clients per app.
 */
export function clientsPerAppFor(clients: number, perApp: number): number {
  for (let n = Math.min(perApp, clients); n > 1; n--) if (clients % n === 0) return n;
  return 1;
}

/**
 * Runs workload `file` as a new study of `command`'s kind (hydra omb run: a sweep, or kafkarate
 * for producerRate 0): its options between hydra.ini and the flags, each named by its OMB field.
 */
export async function runOmbWorkload(args: ParsedArgs, io: CliIO, file: string, command: StudyKind | 'omb run'): Promise<number> {
  const plan = ombStudyPlan(readOmbWorkload(file, command === 'omb run' ? 'hydra omb run' : '--omb_workload'), file);
  const kind = command === 'omb run' ? plan.kind : command;
  if (kind !== plan.kind)
    throw new ConfigError(
      `${file} producerRate`,
      String(plan.workload.producerRate),
      plan.kind === 'kafkarate'
        ? 'is 0 (as fast as possible): run it with hydra omb run, which searches the boundary'
        : `runs as a ${plan.kind}, not hydra ${kind}`,
    );
  const sourceOf = (name: string): string => `${file} ${plan.fieldOf[name as keyof HydraOptions] ?? name}`;
  let resolved = optionsFromFlags(args, { file, options: plan.options, sourceOf });
  const clients = plan.grid.client_counts?.[0] ?? 1;
  // hydra.ini's clients per app, unless it does not divide the workload's clients: then the largest that does.
  const perApp = args.flags.has('clients_per_app') ? resolved.options.clients_per_app : clientsPerAppFor(clients, resolved.options.clients_per_app);
  if (perApp !== resolved.options.clients_per_app) resolved = optionsFromFlags(args, { file, options: { ...plan.options, clients_per_app: perApp }, sourceOf });
  const notes = [...plan.notes, ...flagNotes(args, plan)];
  for (const note of notes) io.stderr.write(`hydra: omb: ${note}\n`);
  const grid = gridFromFlags(args, plan.grid);
  const input: StudyInput = {
    kind,
    options: resolved.options,
    grid,
    id: studyIdFlag(args),
    omb: { file, workload: plan.workload.name, notes },
    ...(kind === 'kafkarate' ? { search: searchFromFlags(args, {}) } : {}),
  };
  return runNewStudy(args, io, resolved, input, undefined, { options: resolved.options, rates: grid.msg_rates ?? [resolved.options.msg_rate] });
}

/** Fields a flag overrode: said, so the run is not taken for the workload as written. */
function flagNotes(args: ParsedArgs, plan: OmbStudyPlan): string[] {
  return Object.entries(plan.fieldOf)
    .filter(([name]) => args.flags.has(name))
    .map(([name, field]) => `--${name} overrides the workload's ${field}`);
}

export const ombCommand: CliCommand = {
  name: 'omb',
  summary: 'run an OpenMessaging Benchmark workload file as a hydra study',
  usage: 'hydra omb run <workload.yaml> [point flags]',
  maxPositionals: 2,
  description:
    'Reads an OMB workload (its workloads/*.yaml) and runs it as a study: topics, partitionsPerTopic,\n' +
    'subscriptionsPerTopic × consumerPerSubscription (a group per client, or a shared group per topic),\n' +
    'producersPerTopic (publisher apps, each writing every topic), producerRate (0: a kafkarate boundary search),\n' +
    'messageSize, payloadFile or randomized payloads, keyDistributor, warm-up and duration. What cannot map\n' +
    '(a consumer backlog) exits 2 naming the field; what hydra does differently is printed first. Brokers,\n' +
    'security and the client library come from hydra.ini and flags; flags override the workload.\n' +
    "Export the result for OMB's charts with: hydra study export <id> --format=omb (docs/omb.md).",
  // The workload file stands where --spec would: one of them.
  flags: newStudyFlags([], SEARCH_FLAGS).filter((f) => f.name !== 'spec'),
  async run(args, io) {
    const [sub, file] = args.positionals;
    if (sub !== 'run') throw new ConfigError('subcommand', sub, `expected run (hydra omb run <workload.yaml>)${didYouMean(sub ?? '', ['run'])}`);
    if (file === undefined) throw new ConfigError('workload file', undefined, 'missing: hydra omb run <workload.yaml>');
    return runOmbWorkload(args, io, file, 'omb run');
  },
};

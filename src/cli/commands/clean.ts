import { flagOn } from '../../config/flags';
import type { HydraOptions } from '../../config/options';
import { OPTION_FLAGS } from '../../config/resolve';
import { HYDRA_NAME_PREFIX, runPrefix, type LeftoverCleaner, type Leftovers } from '../../broker/leftovers';
import { checkStudyId } from '../../study/store';
import { ConfigError } from '../../errors';
import { HELP_FLAG, type CliCommand, type CliIO } from '../command';
import { EXIT_FAILURE } from '../exit-codes';
import { optionsFromFlags } from './options';
import { checkReachable } from '../../broker';

async function openCleaner(options: HydraOptions): Promise<LeftoverCleaner> {
  // Loaded here, not at CLI start: kafkajs is needed only when a command talks to a cluster.
  const [{ ClusterAdmin }, { loadKafkaSecurity }] = await Promise.all([import('../../broker/topics'), import('../../config/security')]);
  return new ClusterAdmin(options.brokers, options.client_id, loadKafkaSecurity(options), { client: options.kafkajs.client, admin: options.kafkajs.admin });
}

const CONNECTION_FLAGS = OPTION_FLAGS.filter((f) => f.name === 'brokers' || f.name === 'config_file');

export const cleanCommand: CliCommand = {
  name: 'clean',
  summary: "list (or with --yes delete) hydra's topics and consumer groups left on a cluster",
  usage: 'hydra clean [--run=<run id>] [--yes] [--brokers=host:port,...]',
  description:
    'A run deletes its own topics and consumer groups from a real cluster when it ends (unless\n' +
    '--keep_topics); a run that was killed leaves them. This lists every topic and group named\n' +
    "hydra-<run id>... (one run with --run, every hydra run's without) and deletes them with --yes.\n" +
    'Without --yes nothing is deleted. Connects with [broker] and [security] from hydra.ini.\n' +
    'With [launcher] kind = kubernetes it also lists (and deletes) the pods and secrets labelled\n' +
    'hydra.run in the [kubernetes] namespace.',
  flags: [
    { name: 'run', kind: 'string', unit: 'id', help: "only this run's topics and groups (the run id in the app log path)" },
    { name: 'yes', kind: 'bool', unit: '', help: 'delete them (default: only list them)' },
    ...CONNECTION_FLAGS,
    HELP_FLAG,
  ],
  async run(args, io) {
    const run = args.flags.get('run');
    if (run === true || run === '') throw new ConfigError('--run', undefined, 'needs a run id (e.g. --run=20261123-101500-a1b2c3)');
    if (run !== undefined) checkStudyId(run, '--run');
    // Cleaning runs none of the commands hydra.ini may name (fault commands, the command launcher's).
    const { options } = optionsFromFlags(args, undefined, false);
    // Apps on Kubernetes: their pods and the run secrets too (by the run label).
    const podsExit = options.launcher === 'kubernetes' ? await cleanPods(io, options, run, flagOn(args, 'yes')) : 0;
    if (options.launcher === 'kubernetes' && options.brokers.length === 0) return podsExit;
    if (options.brokers.length === 0)
      throw new ConfigError(
        '--brokers',
        undefined,
        "hydra clean needs a real cluster ([broker] brokers or --brokers); the embedded broker's topics end with it",
      );
    if (!io.openCleaner) await checkReachable(options.brokers);
    const cleaner = await (io.openCleaner ?? openCleaner)(options);
    try {
      const prefix = run === undefined ? HYDRA_NAME_PREFIX : runPrefix(run);
      const found = await cleaner.leftovers(prefix);
      return Math.max(podsExit, await report(io, cleaner, found, prefix, flagOn(args, 'yes')));
    } finally {
      await cleaner.close();
    }
  },
};

/** Lists (or deletes) the pods and secrets hydra runs left in the [kubernetes] namespace. */
async function cleanPods(io: CliIO, options: HydraOptions, run: string | undefined, yes: boolean): Promise<number> {
  const [{ KubernetesCleaner }, { kubernetesSettings }] = await Promise.all([import('../../launch/kubernetes'), import('../../launch/kubernetes-settings')]);
  const cleaner = new KubernetesCleaner(kubernetesSettings(options));
  const found = await cleaner.list(run);
  for (const p of found.pods) io.stdout.write(`pod ${p}\n`);
  for (const s of found.secrets) io.stdout.write(`secret ${s}\n`);
  const what = `${found.pods.length} pod(s) and ${found.secrets.length} secret(s) of ${run === undefined ? 'hydra runs' : `run ${run}`} in namespace ${options.k8s_namespace}`;
  if (!yes) {
    io.stderr.write(`hydra clean: ${what}; dry run, nothing deleted (add --yes to delete them)\n`);
    return 0;
  }
  const failed = await cleaner.remove(found);
  io.stderr.write(`hydra clean: deleted ${what}\n`);
  for (const f of failed) io.stderr.write(`hydra clean: not deleted: ${f}\n`);
  return failed.length ? EXIT_FAILURE : 0;
}

async function report(io: CliIO, cleaner: LeftoverCleaner, found: Leftovers, prefix: string, yes: boolean): Promise<number> {
  for (const t of found.topics) io.stdout.write(`topic ${t}\n`);
  for (const g of found.groups) io.stdout.write(`group ${g}\n`);
  const what = `${found.topics.length} topic(s) and ${found.groups.length} consumer group(s) named ${prefix}...`;
  if (!yes) {
    io.stderr.write(`hydra clean: ${what}; dry run, nothing deleted (add --yes to delete them)\n`);
    return 0;
  }
  const { removed, failed } = await cleaner.remove(found);
  io.stderr.write(`hydra clean: deleted ${removed.topics.length} topic(s) and ${removed.groups.length} consumer group(s) named ${prefix}...\n`);
  for (const f of failed) io.stderr.write(`hydra clean: not deleted: ${f}\n`);
  return failed.length ? EXIT_FAILURE : 0;
}

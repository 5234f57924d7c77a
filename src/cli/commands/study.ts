import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseNumberList, coerceValue, type FlagDef, type ParsedArgs } from '../../config/flags';
import { flagsToOptions, OPTION_FLAGS, resolveOptions } from '../../config/resolve';
import { ConfigError } from '../../errors';
import { exportStudyPlots, writeStudyReport } from '../../plot/export';
import { pointsToCsv } from '../../study/csv';
import { createStudy, rerunStudy, resumeStudy, runStudy, type StudyOutcome, type StudyRunOptions } from '../../study/run';
import type { RateSearchSettings, StudyGrid, StudyKind } from '../../study/spec';
import { listStudyIds, StudyStore } from '../../study/store';
import { formatFindings, formatPointsTable } from '../../study/table';
import { HELP_FLAG, JSON_FLAG, QUIET_FLAG, type CliCommand, type CliIO } from '../command';
import { studyProgress } from '../progress';
import { onShutdown } from '../shutdown';

const CLIENTS_FLAG: FlagDef = { name: 'clients', kind: 'string', unit: 'n,n,...', help: 'subscriber client counts, multiples of clients_per_app (default: total_sub_apps × clients_per_app)' };
const RATES_FLAG: FlagDef = { name: 'msg_rates', kind: 'string', unit: 'msg/s,...', help: 'message rates (default: --msg_rate)' };
const BATCHES_FLAG: FlagDef = { name: 'msg_batches', kind: 'string', unit: 'n,n,...', help: 'batch sizes (default: --msg_batch)' };
const STUDY_ID_FLAG: FlagDef = { name: 'study_id', kind: 'string', unit: 'name', help: 'directory name under results_dir (default: <command>-<time>-<random>)' };

const REPORT_FLAG: FlagDef = { name: 'report', kind: 'bool', unit: '', help: 'at the end, write report.html and PNG plots into the study directory' };

/** report.html always (no browser needed), then PNGs; a missing Chromium costs only the PNGs. */
async function writeReport(store: StudyStore, io: CliIO): Promise<boolean> {
  io.stderr.write(`hydra: report ${writeStudyReport(store)}\n`);
  try {
    for (const file of await exportStudyPlots(store, { formats: ['png'] })) io.stderr.write(`hydra: plot ${file}\n`);
    return true;
  } catch (err) {
    io.stderr.write(`hydra: PNG plots not written: ${err instanceof Error ? err.message : String(err)}\n`);
    return false;
  }
}

function gridFromFlags(args: ParsedArgs, defaults: Partial<StudyGrid> = {}): Partial<StudyGrid> {
  const list = (name: string, integer: boolean): number[] | undefined => {
    const raw = args.flags.get(name);
    return raw === undefined ? undefined : parseNumberList(raw, `--${name}`, 1, integer);
  };
  return {
    client_counts: list('clients', true) ?? defaults.client_counts,
    msg_rates: list('msg_rates', false) ?? defaults.msg_rates,
    msg_batches: list('msg_batches', true) ?? defaults.msg_batches,
  };
}

/** Runs a study with progress output and Ctrl-C handling, then prints its table. */
async function execute(io: CliIO, args: ParsedArgs, id: string, run: (opts: StudyRunOptions) => Promise<StudyOutcome>): Promise<number> {
  const quiet = args.flags.has('quiet');
  let release: (() => void) | undefined;
  const opts: StudyRunOptions = {
    onEvent: quiet ? undefined : studyProgress(io),
    onSession: (session) => {
      release = onShutdown(async () => {
        await session.close();
        io.stderr.write(`hydra: finished points are saved; continue with: hydra study resume ${id}\n`);
      });
    },
  };
  try {
    const outcome = await run(opts);
    if (args.flags.has('json')) io.stdout.write(JSON.stringify(outcome, null, 2) + '\n');
    else {
      io.stdout.write(formatPointsTable(outcome.points) + '\n');
      if (outcome.findings.length) io.stdout.write(formatFindings(outcome.findings) + '\n');
    }
    if (!quiet) io.stderr.write(`hydra: study ${outcome.id}: ${outcome.measured} points measured, ${outcome.points.length} stored in ${outcome.dir}\n`);
    const plotted = args.flags.has('report') ? await writeReport(StudyStore.atDir(outcome.dir), io) : true;
    return outcome.points.some((p) => p.status === 'failed') || !plotted ? 1 : 0;
  } finally {
    release?.();
  }
}

function gridCommand(name: StudyKind, summary: string, description: string, defaults: Partial<StudyGrid>): CliCommand {
  return {
    name,
    summary,
    usage: `hydra ${name} [--clients=n,n] [--msg_rates=r,r] [--msg_batches=b,b] [point flags]`,
    description,
    flags: [CLIENTS_FLAG, RATES_FLAG, BATCHES_FLAG, STUDY_ID_FLAG, REPORT_FLAG, ...OPTION_FLAGS, JSON_FLAG, QUIET_FLAG, HELP_FLAG],
    async run(args, io) {
      const options = resolveOptions(flagsToOptions(args.flags));
      const studyId = args.flags.get('study_id');
      const store = createStudy({ kind: name, options, grid: gridFromFlags(args, defaults), id: typeof studyId === 'string' ? studyId : undefined });
      return execute(io, args, store.id, (opts) => runStudy(store, opts));
    },
  };
}

export const sweepCommand = gridCommand(
  'sweep',
  'run a grid study: client counts × message rates × batch sizes',
  'Runs every combination, reusing the apps between points (the sub group is scaled, not relaunched).\n' +
    'Each finished point is appended to results/<study>/points.jsonl at once.',
  {},
);

export const kafkafixedCommand = gridCommand(
  'kafkafixed',
  'HYDRA kafkafixed: client counts × a fixed list of rates',
  "Like sweep, with HYDRA's notebook rate set (1000,1500,2000,3000 msg/s) unless --msg_rates is given.",
  { msg_rates: [1000, 1500, 2000, 3000] },
);

export const kafkaBatchCommand = gridCommand(
  'kafka-batch',
  'HYDRA kafka-batch: client counts × msg_batch values',
  'Like sweep over batch sizes (default 10,100,1000) at --msg_rate.',
  { msg_batches: [10, 100, 1000] },
);

const SEARCH_FLAGS: (FlagDef & { key: keyof RateSearchSettings })[] = [
  { key: 'start_rate', name: 'start_rate', kind: 'number', unit: 'msg/s', min: 1, help: 'first rate probed (default: 1000)' },
  { key: 'growth_pct', name: 'growth', kind: 'number', unit: '%', min: 0, help: 'doubling stops when rx rate grows less than this (default: 2)' },
  { key: 'loss_bound_pct', name: 'loss_bound', kind: 'number', unit: '%', min: 0, help: 'highest loss for the no-drop rate (default: 0.5)' },
  { key: 'precision_pct', name: 'precision', kind: 'number', unit: '%', min: 0.01, help: 'search precision relative to the rate (default: 1)' },
  { key: 'max_steps', name: 'max_steps', kind: 'int', unit: 'points', min: 2, help: 'most points per client count (default: 20)' },
];

export const kafkarateCommand: CliCommand = {
  name: 'kafkarate',
  summary: "HYDRA kafkarate: per client count, find the maximum rate and the no-drop rate",
  usage: 'hydra kafkarate [--clients=n,n] [--start_rate=R] [--loss_bound=0.5] [--precision=1] [point flags]',
  description:
    'Per client count: double the rate until the subscribers\' received rate grows by less than --growth %\n' +
    '(maximum rate), then binary-search the highest rate whose loss is ≤ --loss_bound % to --precision %.\n' +
    'Every probe is a stored point; the found rates go to results/<study>/findings.json.',
  flags: [CLIENTS_FLAG, BATCHES_FLAG, STUDY_ID_FLAG, REPORT_FLAG, ...SEARCH_FLAGS, ...OPTION_FLAGS, JSON_FLAG, QUIET_FLAG, HELP_FLAG],
  async run(args, io) {
    const options = resolveOptions(flagsToOptions(args.flags));
    const search: Partial<RateSearchSettings> = {};
    for (const f of SEARCH_FLAGS) {
      const raw = args.flags.get(f.name);
      if (raw !== undefined) search[f.key] = coerceValue(f.kind, raw, `--${f.name}`, f.min) as number;
    }
    const studyId = args.flags.get('study_id');
    const store = createStudy({ kind: 'kafkarate', options, grid: gridFromFlags(args), search, id: typeof studyId === 'string' ? studyId : undefined });
    return execute(io, args, store.id, (opts) => runStudy(store, opts));
  },
};

export const RESULTS_FLAG: FlagDef = { name: 'results_dir', kind: 'string', unit: 'path', help: 'directory holding studies (default: results, or [results] dir)' };
export const CONFIG_FLAG: FlagDef = { name: 'config_file', kind: 'string', unit: 'path', help: 'ini file to read (default: hydra.ini)' };

export function resultsDirOf(args: ParsedArgs): string {
  const raw = args.flags.get('results_dir');
  if (typeof raw === 'string') return raw;
  const cfg = args.flags.get('config_file');
  return resolveOptions(typeof cfg === 'string' ? { config_file: cfg } : {}).results_dir;
}

export const studyCommand: CliCommand = {
  name: 'study',
  summary: 'list, show, export, rerun or resume stored studies',
  usage: 'hydra study list | show <id> | export <id> | rerun <id> [--msg_rates=..] [--clients=..] [--msg_batches=..] | resume <id>',
  description:
    '  list            one line per study in results_dir\n' +
    '  show <id>       the study\'s parameters and a table of its points\n' +
    '  export <id>     write points.csv into the study directory (or --out)\n' +
    '  rerun <id>      add rates/clients/batches; runs only the points the study does not have\n' +
    '  resume <id>     finish an interrupted study',
  flags: [RESULTS_FLAG, CONFIG_FLAG, CLIENTS_FLAG, RATES_FLAG, BATCHES_FLAG, REPORT_FLAG, { name: 'out', kind: 'string', unit: 'path', help: 'CSV output file for export' }, JSON_FLAG, QUIET_FLAG, HELP_FLAG],
  async run(args, io) {
    const [sub, id] = args.positionals;
    const resultsDir = resultsDirOf(args);
    const needId = (): string => {
      if (!id) throw new ConfigError(`hydra study ${sub ?? ''}`.trim(), undefined, 'needs a study id (hydra study list shows them)');
      return id;
    };
    switch (sub) {
      case 'list': {
        const ids = listStudyIds(resultsDir);
        if (ids.length === 0) io.stderr.write(`hydra: no studies in ${resultsDir}\n`);
        for (const sid of ids) {
          const store = StudyStore.open(resultsDir, sid);
          const spec = store.readSpec();
          const points = store.readPoints();
          io.stdout.write(`${sid}  ${spec.kind}  ${spec.status}  ${points.length} points (${points.filter((p) => p.status === 'failed').length} failed)  created ${spec.created_at}\n`);
        }
        return 0;
      }
      case 'show': {
        const store = StudyStore.open(resultsDir, needId());
        const spec = store.readSpec();
        const points = store.readPoints();
        if (args.flags.has('json')) {
          io.stdout.write(JSON.stringify({ spec, points, findings: store.readFindings() }, null, 2) + '\n');
          return 0;
        }
        io.stdout.write(
          `study ${spec.id} (${spec.kind}, ${spec.status}) in ${store.dir}\n` +
            `  client counts ${spec.grid.client_counts.join(',')}; rates ${spec.grid.msg_rates.join(',')}; batches ${spec.grid.msg_batches.join(',')}\n` +
            `  ${spec.options.test_duration} s per point, ${spec.options.clients_per_app} clients per app, acks=${spec.options.acks}, brokers ${spec.brokers.join(',') || '-'}\n` +
            `  versions ${Object.entries(spec.versions).map(([k, v]) => `${k} ${v}`).join(', ')}\n\n` +
            formatPointsTable(points) +
            '\n',
        );
        const findings = store.readFindings();
        if (findings.length) io.stdout.write('\n' + formatFindings(findings) + '\n');
        return 0;
      }
      case 'export': {
        const store = StudyStore.open(resultsDir, needId());
        const out = args.flags.get('out');
        const file = typeof out === 'string' ? out : path.join(store.dir, 'points.csv');
        fs.writeFileSync(file, pointsToCsv(store.readPoints()));
        io.stdout.write(file + '\n');
        return 0;
      }
      case 'rerun': {
        const sid = needId();
        const changes = gridFromFlags(args);
        const clean = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)) as Partial<StudyGrid>;
        if (Object.keys(clean).length === 0) throw new ConfigError('hydra study rerun', undefined, 'give --msg_rates, --clients or --msg_batches to add');
        return execute(io, args, sid, (opts) => rerunStudy(resultsDir, sid, clean, opts));
      }
      case 'resume': {
        const sid = needId();
        return execute(io, args, sid, (opts) => resumeStudy(resultsDir, sid, opts));
      }
      default:
        throw new ConfigError('hydra study', sub, 'expected list, show, export, rerun or resume');
    }
  },
};

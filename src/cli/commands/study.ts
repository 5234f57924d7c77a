import * as fs from 'node:fs';
import * as path from 'node:path';
import { flagOn, type ParsedArgs } from '../../config/flags';
import { ConfigError, errorMessage } from '../../errors';
import { didYouMean } from '../../config/suggest';
import { exportPoints, type ExportFormat } from '../../present/export';
import { formatStudy, formatStudyList, summarizeStudy, type StudySummary } from '../../present/study';
import { rerunStudy, resumeStudy } from '../../study/run';
import type { StudyGrid } from '../../study/spec';
import { listStudyIds, StudyStore } from '../../study/store';
import { studySpecYaml } from '../../study/spec-file';
import { HELP_FLAG, JSON_FLAG, QUIET_FLAG, type CliCommand, type CliIO } from '../command';
import { makeDirectory } from '../../dirs';
import { ombFileName, ombLeftOut, ombResultOf } from '../../omb/result';
import { pointName } from '../../present/point-name';
import { isOk, type PointRecord } from '../../study/record';
import { EXIT_FAILURE } from '../exit-codes';
import { JUNIT_FLAG } from './gate';
import { ALLOW_COMMANDS_FLAG } from './options';

import { BATCHES_FLAG, CLIENTS_FLAG, gridFromFlags, RATES_FLAG, VARY_FLAG } from './new-study';
import { execute, REPORT_FLAG, RETRY_FAILED_FLAG } from './run-study';
import { CONFIG_FLAG, readStudyPoints, RESULTS_FLAG, resultsDirOf } from './results';

const EXPORT_FORMATS: readonly (ExportFormat | 'omb')[] = ['csv', 'jsonl', 'omb'];

function exportFormat(args: ParsedArgs): ExportFormat | 'omb' {
  const raw = args.flags.get('format') ?? 'csv';
  if (raw === true || !(EXPORT_FORMATS as readonly string[]).includes(raw))
    throw new ConfigError('--format', raw === true ? undefined : raw, `expected csv, jsonl or omb${didYouMean(raw === true ? '' : raw, EXPORT_FORMATS)}`);
  return raw as ExportFormat | 'omb';
}

/**
 * One OMB result JSON per point (omb/result.ts) into `dir`: what OMB's chart script draws beside
 * OMB's own runs. Points that are not measurements of Kafka's steady state are left out and named.
 */
function exportOmb(store: StudyStore, points: readonly PointRecord[], dir: string, io: CliIO): number {
  const spec = store.readSpec();
  makeDirectory(dir);
  let written = 0;
  points.forEach((record, i) => {
    const why = ombLeftOut(record);
    if (why !== null || !isOk(record)) {
      io.stderr.write(`hydra: ${pointName(record.params)} left out of the OMB export: ${why ?? record.status} (not a measurement of Kafka's steady state)\n`);
      return;
    }
    const file = path.join(dir, ombFileName(spec, record, i));
    fs.writeFileSync(file, JSON.stringify(ombResultOf(spec, record), null, 2) + '\n');
    io.stdout.write(file + '\n');
    written++;
  });
  if (written === 0) io.stderr.write(`hydra: no point of ${store.id} is a measurement to export\n`);
  return written > 0 ? 0 : EXIT_FAILURE;
}

export const studyCommand: CliCommand = {
  name: 'study',
  summary: 'list, show, export, rerun or resume stored studies',
  usage:
    'hydra study list | show <id> | export <id> [--format=csv|jsonl|omb] [--out=file|-|dir] | spec <id> [--out=file] | rerun <id> [--msg_rates=..] [--clients=..] [--msg_batches=..] [--vary=..] | resume <id>',
  maxPositionals: 2,
  description:
    '  list            one row per study in results_dir: points by verdict, broker (--json: an array)\n' +
    "  show <id>       the study's parameters and a table of its points\n" +
    '  export <id>     write points.csv (or --format=jsonl: points.jsonl) into the study directory, or --out (- = stdout);\n' +
    '                  --format=omb: an OpenMessaging Benchmark result JSON per point into <study>/omb/ (or --out dir)\n' +
    "  spec <id>       the study's workload as YAML (stdout, or --out): run it elsewhere with hydra <kind> --spec=file\n" +
    '  rerun <id>      add rates/clients/batches; runs only the points the study does not have\n' +
    '  resume <id>     finish an interrupted study\n' +
    'rerun and resume keep points stored as failed or invalid unless --retry_failed is given.',
  flags: [
    RESULTS_FLAG,
    CONFIG_FLAG,
    CLIENTS_FLAG,
    RATES_FLAG,
    BATCHES_FLAG,
    VARY_FLAG,
    RETRY_FAILED_FLAG,
    REPORT_FLAG,
    JUNIT_FLAG,
    ALLOW_COMMANDS_FLAG,
    { name: 'out', kind: 'string', unit: 'path', help: 'export, spec: output file, - for stdout' },
    { name: 'format', kind: 'string', unit: 'csv|jsonl|omb', help: 'export: file format (default: csv; omb: OMB result JSON per point)' },
    JSON_FLAG,
    QUIET_FLAG,
    HELP_FLAG,
  ],
  async run(args, io) {
    const [sub, id] = args.positionals;
    const resultsDir = resultsDirOf(args, io);
    const needId = (): string => {
      if (!id) throw new ConfigError('study id', undefined, `missing: hydra study ${sub ?? ''} <id> (hydra study list shows them)`);
      return id;
    };
    switch (sub) {
      case 'list': {
        const ids = listStudyIds(resultsDir);
        if (ids.length === 0 && !flagOn(args, 'json')) io.stderr.write(`hydra: no studies in ${resultsDir}\n`);
        const rows: StudySummary[] = [];
        for (const sid of ids) {
          // One unreadable study is named, and the others are still listed.
          try {
            const store = StudyStore.open(resultsDir, sid);
            const spec = store.readSpec();
            const { points, damaged } = readStudyPoints(store, io);
            rows.push(summarizeStudy(spec, points, damaged.length));
          } catch (err) {
            io.stderr.write(`hydra: study '${sid}' is unreadable: ${errorMessage(err)}\n`);
          }
        }
        if (flagOn(args, 'json')) io.stdout.write(JSON.stringify(rows, null, 2) + '\n');
        else if (rows.length > 0) io.stdout.write(formatStudyList(rows) + '\n');
        return 0;
      }
      case 'show': {
        const store = StudyStore.open(resultsDir, needId());
        const spec = store.readSpec();
        const { points, damaged } = readStudyPoints(store, io);
        const findings = store.readFindings();
        if (flagOn(args, 'json')) io.stdout.write(JSON.stringify({ spec, points, findings, damaged_lines: damaged }, null, 2) + '\n');
        else io.stdout.write(formatStudy(spec, points, findings, store.dir, damaged.length));
        return 0;
      }
      case 'export': {
        const format = exportFormat(args);
        const store = StudyStore.open(resultsDir, needId());
        if (format === 'omb') {
          const out = args.flags.get('out');
          if (out === '-') throw new ConfigError('--out', '-', 'an OMB export is a file per point: give a directory');
          return exportOmb(store, readStudyPoints(store, io).points, typeof out === 'string' ? out : path.join(store.dir, 'omb'), io);
        }
        const text = exportPoints(readStudyPoints(store, io).points, format, store.id);
        const out = args.flags.get('out');
        // `--out=-` writes to stdout, for pipes.
        if (out === '-') {
          io.stdout.write(text);
          return 0;
        }
        const file = typeof out === 'string' ? out : path.join(store.dir, `points.${format}`);
        fs.writeFileSync(file, text);
        io.stdout.write(file + '\n');
        return 0;
      }
      case 'spec': {
        const store = StudyStore.open(resultsDir, needId());
        const text = studySpecYaml(store.readSpec());
        const out = args.flags.get('out');
        if (typeof out === 'string' && out !== '-') {
          fs.writeFileSync(out, text);
          io.stdout.write(out + '\n');
        } else io.stdout.write(text);
        return 0;
      }
      case 'rerun': {
        const sid = needId();
        const changes = gridFromFlags(args);
        const clean = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)) as Partial<StudyGrid>;
        if (Object.keys(clean).length === 0 && !flagOn(args, 'retry_failed'))
          throw new ConfigError('rerun', undefined, 'give --msg_rates, --clients, --msg_batches or --vary to add (or --retry_failed)');
        return execute(io, args, sid, (opts) => rerunStudy(resultsDir, sid, clean, opts));
      }
      case 'resume': {
        const sid = needId();
        return execute(io, args, sid, (opts) => resumeStudy(resultsDir, sid, opts));
      }
      default:
        throw new ConfigError(
          'subcommand',
          sub,
          `expected list, show, export, spec, rerun or resume${didYouMean(sub ?? '', ['list', 'show', 'export', 'spec', 'rerun', 'resume'])}`,
        );
    }
  },
};

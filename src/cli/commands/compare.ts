import * as fs from 'node:fs';
import * as path from 'node:path';
import { flagOn } from '../../config/flags';
import { compareStudies, loadStudies } from '../../compare/compare';
import { ConfigError } from '../../errors';
import { makeDirectory } from '../../dirs';
import { compareFigures, compareHtml } from '../../plot/compare';
import { exportFigures, type PlotFormat } from '../../plot/export';
import { formatComparison } from '../../compare/text';
import { HELP_FLAG, JSON_FLAG, type CliCommand } from '../command';
import { CONFIG_FLAG, readStudyPoints, RESULTS_FLAG, resultsDirOf } from './results';
import { StudyStore } from '../../study/store';
import { isOmbResultArg, ombAsStudy, readOmbResult } from '../../omb/compare-side';
import { FORMAT_FLAG, imageSizeOf, plotFormatsOf, SIZE_FLAGS } from './plot';

export const compareCommand: CliCommand = {
  name: 'compare',
  summary: "put studies side by side: HYDRA's curves per study, the difference of each shared point and whether it is significant",
  usage: 'hydra compare <study> <study|omb-result.json> [...] [--format=html|png|svg[,..]] [--out=dir] [--json]',
  maxPositionals: 10,
  description:
    'Points are matched by client count, rate, batch and (where a study varies one) workload; what differs\n' +
    'between the studies is named. Differences are against the first study; "significant" needs repeats\n' +
    '(--repeats): their 95 % confidence intervals must not overlap. Harness-limited, failed and invalid points\n' +
    'are drawn as such and left out of the differences. The table goes to stdout; compare.html (self-contained)\n' +
    'and with --format=png,svg one image per figure go to --out (default: <results_dir>/compare-<a>-vs-<b>).\n' +
    "A side ending in .json is an OpenMessaging Benchmark result (OMB's, or hydra study export --format=omb):\n" +
    'matched by client count (topics × consumersPerTopic) and the rate nearest its publish rate (docs/omb.md).',
  flags: [
    FORMAT_FLAG,
    { name: 'out', kind: 'string', unit: 'dir', help: 'output directory (default: <results_dir>/compare-<a>-vs-<b>)' },
    ...SIZE_FLAGS,
    RESULTS_FLAG,
    CONFIG_FLAG,
    JSON_FLAG,
    HELP_FLAG,
  ],
  async run(args, io) {
    const formats = plotFormatsOf(args);
    const width = imageSizeOf(args, 'width');
    const height = imageSizeOf(args, 'height');
    const ids = args.positionals;
    if (ids.length < 2) throw new ConfigError('hydra compare', ids.join(' ') || undefined, 'needs two or more study ids (hydra study list shows them)');
    const dup = ids.find((id, i) => ids.indexOf(id) !== i);
    if (dup) throw new ConfigError('hydra compare', dup, 'is given twice');
    const resultsDir = resultsDirOf(args, io);
    // OMB result files (*.json) sit beside the studies; at least one side must be a study to match them to.
    const studyIds = ids.filter((id) => !isOmbResultArg(id));
    if (studyIds.length === 0)
      throw new ConfigError('hydra compare', ids.join(' '), 'needs at least one hydra study beside OMB results (OMB results carry no rate to match by)');
    // A damaged line of a study's points is named before the comparison leaves its point out.
    for (const id of studyIds) readStudyPoints(StudyStore.open(resultsDir, id), io);
    const loaded = loadStudies(resultsDir, studyIds);
    const studies = ids.map((id) => {
      if (!isOmbResultArg(id)) return loaded[studyIds.indexOf(id)] as (typeof loaded)[number];
      const side = ombAsStudy(readOmbResult(id), id, loaded);
      io.stderr.write(`hydra: ${side.note}\n`);
      return side.study;
    });
    const comparison = compareStudies(studies);
    io.stdout.write(flagOn(args, 'json') ? JSON.stringify(comparison, null, 2) + '\n' : formatComparison(comparison));
    const out = args.flags.get('out');
    const dir = typeof out === 'string' ? out : path.join(resultsDir, `compare-${studies.map((s) => s.spec.id).join('-vs-')}`);
    makeDirectory(dir);
    if (formats.includes('html')) {
      const file = path.join(dir, 'compare.html');
      fs.writeFileSync(file, compareHtml(studies, comparison));
      io.stderr.write(`hydra: compare page ${file}\n`);
    }
    const images = formats.filter((f) => f !== 'html') as PlotFormat[];
    if (images.length)
      for (const file of await exportFigures(compareFigures(studies, comparison), {
        formats: images,
        outDir: dir,
        title: 'hydra compare',
        width,
        height,
      }))
        io.stderr.write(`hydra: plot ${file}\n`);
    return 0;
  },
};

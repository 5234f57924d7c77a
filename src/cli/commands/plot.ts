import { coerceValue, type FlagDef, type ParsedArgs } from '../../config/flags';
import { ConfigError } from '../../errors';
import { exportStudyPlots, writeStudyReport, type PlotFormat } from '../../plot/export';
import { StudyStore } from '../../study/store';
import { HELP_FLAG, type CliCommand } from '../command';
import { CONFIG_FLAG, RESULTS_FLAG, resultsDirOf } from './results';

const FORMATS: readonly PlotFormat[] = ['html', 'png', 'svg'];
const OUT_FLAG: FlagDef = { name: 'out', kind: 'string', unit: 'dir', help: 'output directory (default: the study directory)' };

/** --format, --width and --height of every command that exports figures (plot, compare). */
export const FORMAT_FLAG: FlagDef = { name: 'format', kind: 'string', unit: 'html|png|svg', help: 'one or more formats, comma-separated (default: html)' };
export const SIZE_FLAGS: readonly FlagDef[] = [
  { name: 'width', kind: 'int', unit: 'px', min: 100, help: 'image width (default: 1000)' },
  { name: 'height', kind: 'int', unit: 'px', min: 100, help: 'image height (default: 600)' },
];

/** The --format list, each checked (default: html). */
export function plotFormatsOf(args: ParsedArgs): PlotFormat[] {
  const raw = args.flags.get('format');
  const formats = (typeof raw === 'string' ? raw.split(',') : ['html']).map((f) => f.trim());
  for (const f of formats) if (!(FORMATS as readonly string[]).includes(f)) throw new ConfigError('--format', f, 'expected html, png or svg');
  return formats as PlotFormat[];
}

/** --width or --height in pixels, when given. */
export function imageSizeOf(args: ParsedArgs, name: 'width' | 'height'): number | undefined {
  const raw = args.flags.get(name);
  return raw === undefined ? undefined : (coerceValue('int', raw, `--${name}`, { min: 100, max: 10000 }) as number);
}

function studyId(positionals: string[], command: string): string {
  const id = positionals[0];
  if (!id) throw new ConfigError(`hydra ${command}`, undefined, 'needs a study id (hydra study list shows them)');
  return id;
}

export const plotCommand: CliCommand = {
  name: 'plot',
  summary: "export a study's plots (HYDRA's three curves, latency, kafkarate boundaries)",
  usage: 'hydra plot <study-id> [--format=html|png|svg[,..]] [--out=dir] [--width=px] [--height=px]',
  maxPositionals: 1,
  description:
    'html: plots.html with every figure, plotly.js inlined (opens offline).\npng/svg: one file per figure, rendered by headless Chromium (Debian package chromium).',
  flags: [FORMAT_FLAG, OUT_FLAG, ...SIZE_FLAGS, RESULTS_FLAG, CONFIG_FLAG, HELP_FLAG],
  async run(args, io) {
    // Check the flags before looking for the study: bad input is reported as such.
    const formats = plotFormatsOf(args);
    const width = imageSizeOf(args, 'width');
    const height = imageSizeOf(args, 'height');
    const id = studyId(args.positionals, 'plot');
    const store = StudyStore.open(resultsDirOf(args, io), id);
    const out = args.flags.get('out');
    const files = await exportStudyPlots(store, { formats, outDir: typeof out === 'string' ? out : undefined, width, height });
    for (const f of files) io.stdout.write(f + '\n');
    return 0;
  },
};

export const reportCommand: CliCommand = {
  name: 'report',
  summary: "write one HTML page with a study's parameters, points table and all figures",
  usage: 'hydra report <study-id> [--out=dir]',
  maxPositionals: 1,
  flags: [OUT_FLAG, RESULTS_FLAG, CONFIG_FLAG, HELP_FLAG],
  async run(args, io) {
    const store = StudyStore.open(resultsDirOf(args, io), studyId(args.positionals, 'report'));
    const out = args.flags.get('out');
    io.stdout.write(writeStudyReport(store, typeof out === 'string' ? out : undefined) + '\n');
    return 0;
  },
};

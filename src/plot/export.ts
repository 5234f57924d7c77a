import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeDirectory } from '../dirs';
import type { StudyStore } from '../study/store';
import type { Figure } from './figures';
import { studyFigures } from './study-figures';
import { figuresPage } from './html';
import { ImageRenderer, type ImageFormat } from './image';
import { studyReportHtml } from './report';

export type PlotFormat = 'html' | ImageFormat;

export interface PlotExportOptions {
  formats: readonly PlotFormat[];
  /** Default: the study's directory. */
  outDir?: string;
  /** Image size in pixels (PNG/SVG). */
  width?: number;
  height?: number;
  chromiumPath?: string;
}

/**
 * Writes a study's figures: `plots.html` (every figure, plotly.js inlined, opens offline) and/or
 * one `<figure>.png` / `.svg` each. Returns the written paths.
 */
export async function exportStudyPlots(store: StudyStore, opts: PlotExportOptions): Promise<string[]> {
  const spec = store.readSpec();
  const figures = studyFigures(store.readPoints(), store.readFindings(), { study: spec.id, brokers: spec.options.brokers });
  return exportFigures(figures, { ...opts, outDir: opts.outDir ?? store.dir, title: `hydra study ${store.id}` });
}

export async function exportFigures(figures: Record<string, Figure>, opts: PlotExportOptions & { outDir: string; title: string }): Promise<string[]> {
  makeDirectory(opts.outDir);
  const written: string[] = [];
  if (opts.formats.includes('html')) {
    const file = path.join(opts.outDir, 'plots.html');
    fs.writeFileSync(file, figuresPage(opts.title, figures));
    written.push(file);
  }
  const imageFormats = opts.formats.filter((f): f is ImageFormat => f !== 'html');
  if (imageFormats.length > 0) {
    const renderer = await ImageRenderer.open(opts.chromiumPath);
    try {
      for (const format of imageFormats) {
        for (const [id, fig] of Object.entries(figures)) {
          const file = path.join(opts.outDir, `${id}.${format}`);
          fs.writeFileSync(file, await renderer.render(fig, format, opts.width, opts.height));
          written.push(file);
        }
      }
    } finally {
      await renderer.close();
    }
  }
  return written;
}

/** Writes `report.html` (parameters, points table, all figures) into the study directory or `outDir`. */
export function writeStudyReport(store: StudyStore, outDir?: string): string {
  const dir = outDir ?? store.dir;
  makeDirectory(dir);
  const file = path.join(dir, 'report.html');
  fs.writeFileSync(file, studyReportHtml(store.readSpec(), store.readPoints(), store.readFindings()));
  return file;
}

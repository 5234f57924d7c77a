import { cellText, sortPoints, TABLE_COLUMNS, workloadColumns } from '../present/columns';
import { summarySentences } from '../present/summary';
import { remediesFor } from '../present/verdict';
import { plannedPoints, studyStatus, summarizeStudy, type StudySummary } from '../present/study';
import type { Figure } from '../plot/figures';
import { studyFigures } from '../plot/study-figures';
import { safeFigure } from '../plot/safe-text';
import type { PointRecord } from '../study/record';
import type { StudySpec } from '../study/spec';
import { damageWarnings, StudyStore, listStudyIds } from '../study/store';
import * as fs from 'node:fs';
import type { StudyPageReply, StudyProgress, UnreadableStudyRow } from './api';

export type { StudyProgress } from './api';

export function progressOf(store: StudyStore, spec: StudySpec, points: readonly PointRecord[], damagedLines = 0): StudyProgress {
  const planned = plannedPoints(spec);
  const running = store.activeRun() !== null;
  const state = running ? 'running' : studyStatus(spec, points.length, damagedLines) === 'done' ? 'done' : 'interrupted';
  const meanS = points.length ? points.reduce((n, p) => n + p.elapsed_s, 0) / points.length : null;
  const eta = running && planned !== null && meanS !== null ? Math.max(0, planned - points.length) * meanS : null;
  return { state, stored: points.length, planned, eta_s: eta };
}

/** A row of the study list page: the study's summary and its progress. */
export interface ListedStudy extends StudySummary {
  progress: StudyProgress;
}

/** Every study under the results dir, newest first; an unreadable one is listed by its error. */
export function listStudies(resultsDir: string): (ListedStudy | UnreadableStudyRow)[] {
  return listStudyIds(resultsDir)
    .map((id) => {
      try {
        const store = StudyStore.open(resultsDir, id);
        const spec = store.readSpec();
        const { points, damaged } = store.readStored();
        return { ...summarizeStudy(spec, points, damaged.length), progress: progressOf(store, spec, points, damaged.length) };
      } catch (err) {
        return { id, error: err instanceof Error ? err.message : String(err) };
      }
    })
    .sort((a, b) => ('created_at' in b ? b.created_at : '').localeCompare('created_at' in a ? a.created_at : ''));
}

/** What a study page shows, as data the page redraws from: summary, progress, points table, figures, exports. */
export interface StudyPageState extends StudyPageReply {
  summary: StudySummary;
  progress: StudyProgress;
  sentences: string[];
  table: { header: string[]; rows: string[][] };
  figures: Record<string, Figure>;
  exports: string[];
}

export function studyPageState(store: StudyStore): StudyPageState {
  const spec = store.readSpec();
  const { points, damaged } = store.readStored();
  const sorted = sortPoints(points);
  const columns = [...TABLE_COLUMNS.slice(0, 3), ...workloadColumns(sorted), ...TABLE_COLUMNS.slice(3)];
  return {
    summary: summarizeStudy(spec, points, damaged.length),
    progress: progressOf(store, spec, points, damaged.length),
    sentences: [...damageWarnings(store, damaged).map((w) => `damaged: ${w}`), ...summarySentences(points), ...remediesFor(points)],
    table: {
      header: columns.map((c) => c.header),
      rows: sorted.map((r) => columns.map((c) => cellText(c.value(r), 'digits' in c ? c.digits : undefined))),
    },
    figures: Object.fromEntries(
      Object.entries(studyFigures(points, store.readFindings(), { study: spec.id, brokers: spec.options.brokers })).map(([name, fig]) => [
        name,
        safeFigure(fig),
      ]),
    ),
    exports: fs
      .readdirSync(store.dir)
      .filter((f) => EXPORT_FILE.test(f))
      .sort(),
  };
}

/** Files of a study directory the server hands out: exports and the stored points, nothing else. */
export const EXPORT_FILE = /^[\w][\w.-]*\.(html|png|svg|csv|jsonl|json)$/;

/**
 * What `hydra serve`'s pages ask the server for: the JSON of `/api/studies` and `/api/study/<id>`.
 * Typed once here, with nothing imported, so the server (state.ts) and the page script
 * (browser/pages.ts, compiled for the browser) are held to the same shapes by the compiler.
 */

/** How far a study is: points planned and stored, whether a process is running it now, and when it should end. */
export interface StudyProgress {
  /** 'running': a live process holds the study; 'interrupted': not done and nobody runs it; 'done'. */
  state: 'running' | 'interrupted' | 'done';
  stored: number;
  /** Points the plan has (a kafkarate search chooses its own: null). */
  planned: number | null;
  /** Seconds left at the mean time per point so far; null when not running or not known. */
  eta_s: number | null;
}

/** A row of the study list page (the page reads these fields of a study's summary). */
export interface ListedStudyRow {
  id: string;
  kind: string;
  created_at: string;
  points: number;
  measured: number;
  harness_limited: number;
  invalid: number;
  failed: number;
  /** 'embedded' or the bootstrap brokers. */
  broker: string;
  progress: StudyProgress;
}

/** A study that could not be read, listed by its error. */
export interface UnreadableStudyRow {
  id: string;
  error: string;
}

/** `/api/studies`: every study under the results directory, newest first. */
export type StudyListReply = (ListedStudyRow | UnreadableStudyRow)[];

/** A Plotly figure as the page hands it to Plotly.react. */
export interface PageFigure {
  data: unknown[];
  layout: Record<string, unknown>;
}

/** `/api/study/<id>`: what a study page redraws from. */
export interface StudyPageReply {
  progress: StudyProgress;
  sentences: string[];
  table: { header: string[]; rows: string[][] };
  figures: Record<string, PageFigure>;
  exports: string[];
}

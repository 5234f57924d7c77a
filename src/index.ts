/**
 * hydra as a library: what notebooks (tslab) and scripts import. The CLI is a thin shell over
 * these same functions. Nothing here pulls in terminal-only code; playwright-core is loaded
 * only when PNG/SVG export runs.
 */
export { DEFAULT_OPTIONS, OPTION_SPECS, pointParamsOf, type HydraOptions, type PointParams } from './config/options';
export { resolveOptions, loadIniOptions } from './config/resolve';
export { checkPointParams } from './config/rules';
export * from './errors';
export { acquireBroker, startEmbeddedBroker, type BrokerHandle } from './broker';
export { TestSession } from './runner/session';
export type { PointRun, PointRunner, OpenPointRunner } from './runner/point-runner';
export type { RunnerEvent, PointPhase } from './runner/events';
export type { HydraEvent, EventSink, StudyEvent } from './study/events';
export type { PointRecord, OkPointRecord, FailedPointRecord } from './study/record';
export { computeResult, HYDRA_RESULT_KEYS, type PointResult } from './stats/result';
export { formatResDict, formatSummary } from './present/point';
export { pointVerdict, RemedyOnce } from './present/verdict';
export { findingNote, formatFindings, searchLine } from './present/findings';
export {
  judgePoint,
  remedyFor,
  formatLimit,
  formatKafkaLimit,
  DEFAULT_THRESHOLDS,
  type HarnessLimit,
  type KafkaLimit,
  type VerdictThresholds,
} from './stats/verdict';
export { pointsToCsv, pointsToJsonl, exportPoints } from './present/export';
export { formatPointsTable } from './present/table';
export { curveSentence, faultSentences, summarizeCurves, summarySentences, type CurveSummary } from './present/summary';
export { groupedNumber, pointName } from './present/point-name';
export { studyWarnings, type PlannedStudy } from './present/warnings';
export { readStudyPlan, studySpecYaml, type StudyPlan } from './study/spec-file';
export { formatStudy, formatStudyList, isEmbeddedStudy, summarizeStudy, type StudySummary } from './present/study';
export { createStudy, type StudyInput } from './study/create';
export { runStudy, rerunStudy, resumeStudy, type StudyOutcome, type StudyRunOptions } from './study/run';
export { StudyStore, listStudyIds } from './study/store';
export { findRateBoundary } from './study/boundary';
export type { StudySpec, StudyGrid, StudyKind, RateFinding, RateSearchSettings } from './study/spec';
export { parseVary, workloadLabel, WORKLOAD_KEYS, type Workload } from './study/workloads';
export {
  rxTxFigure,
  throughputFigure,
  lossFigure,
  failingClientsFigure,
  latencyFigure,
  rateBoundaryFigure,
  contextLine,
  onEmbeddedBroker,
  type Figure,
  type FigureContext,
  type PlotTrace,
} from './plot/figures';
export { studyFigures } from './plot/study-figures';
export { faultDeliveryFigure, faultRecoveryFigure, faultFiguresOf } from './plot/fault-figures';
export type { FaultRecord, ClientThroughFault, PhaseLatency } from './faults/figures';
export { FaultSchedule, parseFaultSchedule, type PlannedFault } from './config/fault-schedule';
export { faultLine } from './present/fault';
export { figureSnippet, figuresPage, plotlyScriptTag } from './plot/html';
export { ImageRenderer, PlotExportError, pngSize } from './plot/image';
export { exportStudyPlots, exportFigures, writeStudyReport, type PlotFormat } from './plot/export';
export { studyReportHtml } from './plot/report';
export { compareStudies, loadStudies, COMPARED_FIELDS, type Comparison, type ComparedStudy, type FieldDiff, type SharedPoint } from './compare/compare';
export { readOmbWorkload, ombStudyPlan, type OmbWorkload, type OmbStudyPlan } from './omb/workload';
export { ombResultOf, ombLeftOut, type OmbExport } from './omb/result';
export { readOmbResult, ombAsStudy } from './omb/compare-side';
export { compareFigures, compareHtml } from './plot/compare';
export { formatComparison } from './compare/text';
export { gateStudy, gateLines, type GateResult, type GatedPoint } from './present/gate';
export { parseThresholds, checkThresholds, THRESHOLD_FIELDS, type Threshold, type ThresholdCheck } from './gate/thresholds';
export { junitXml } from './present/junit';

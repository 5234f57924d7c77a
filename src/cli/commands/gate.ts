import * as fs from 'node:fs';
import type { FlagDef, ParsedArgs } from '../../config/flags';
import type { HydraOptions } from '../../config/options';
import { ConfigError } from '../../errors';
import { gateLines, gateStudy } from '../../present/gate';
import { parseThresholds } from '../../gate/thresholds';
import { junitXml } from '../../present/junit';
import type { PointRecord } from '../../study/record';
import type { CliIO } from '../command';

export const JUNIT_FLAG: FlagDef = {
  name: 'junit',
  kind: 'string',
  unit: 'file',
  help: 'write the threshold gate as JUnit XML: each point a test case (a crossing a failure, harness-limited skipped)',
};

/** The --junit file, checked before anything runs: its directory must exist. */
export function junitFileOf(args: ParsedArgs): string | undefined {
  const raw = args.flags.get('junit');
  if (raw === undefined) return undefined;
  if (raw === true || raw === '') throw new ConfigError('--junit', undefined, 'needs a file name');
  return raw;
}

/**
 * Judges the study's points by its thresholds, says each crossing in one line, writes the JUnit
 * file when asked; returns whether the gate failed (the command then exits EXIT_THRESHOLD).
 */
export function applyGate(
  io: CliIO,
  study: string,
  records: readonly PointRecord[],
  options: Pick<HydraOptions, 'threshold' | 'fail_on_harness_limited'>,
  junit: string | undefined,
): boolean {
  const thresholds = parseThresholds(options.threshold ?? '', '--threshold');
  if (thresholds.length === 0 && !junit) return false;
  const gate = gateStudy(study, records, thresholds, options.fail_on_harness_limited ?? false);
  for (const line of gateLines(gate)) io.stderr.write(`hydra: ${line}\n`);
  if (junit) {
    fs.writeFileSync(junit, junitXml([gate]));
    io.stderr.write(`hydra: JUnit XML in ${junit}\n`);
  }
  return gate.failed;
}

import type { GateResult } from './gate';

const xml = (s: string): string => s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] as string);

/**
 * The gate as JUnit XML, so a CI system shows each point as a test case: a crossing is a
 * <failure>, a harness-limited point <skipped> (a <failure> with --fail_on_harness_limited), a
 * failed or invalid point an <error>.
 */
export function junitXml(gates: readonly GateResult[]): string {
  const suites = gates.map((gate) => {
    const cases = gate.points.map((p) => {
      const time = p.record.elapsed_s.toFixed(3);
      const open = `    <testcase classname="hydra.${xml(gate.study)}" name="${xml(p.name)}" time="${time}"`;
      switch (p.outcome) {
        case 'pass':
          return `${open}/>`;
        case 'fail': {
          const crossed = p.checks.filter((c) => !c.passed).map((c) => `${c.field} = ${c.value === null ? 'no value' : c.value}, limit ${c.threshold}`);
          return `${open}>\n      <failure message="${xml(crossed.join('; '))}" type="threshold"/>\n    </testcase>`;
        }
        case 'harness_limited': {
          const why = `harness-limited, not a measurement of Kafka: ${p.record.result?.harness_notes.join('; ') ?? ''}`;
          return gate.failOnHarnessLimited
            ? `${open}>\n      <failure message="${xml(why)}" type="harness_limited"/>\n    </testcase>`
            : `${open}>\n      <skipped message="${xml(why)}"/>\n    </testcase>`;
        }
        case 'unmeasured':
          return `${open}>\n      <error message="${xml(`${p.record.status}: ${p.record.error ?? ''}`)}" type="${p.record.status}"/>\n    </testcase>`;
      }
    });
    const count = (pick: (o: string) => boolean): number => gate.points.filter((p) => pick(p.outcome)).length;
    const failures = count((o) => o === 'fail' || (gate.failOnHarnessLimited && o === 'harness_limited'));
    const skipped = gate.failOnHarnessLimited ? 0 : count((o) => o === 'harness_limited');
    return `  <testsuite name="hydra study ${xml(gate.study)}" tests="${gate.points.length}" failures="${failures}" errors="${count((o) => o === 'unmeasured')}" skipped="${skipped}">\n${cases.join('\n')}\n  </testsuite>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="hydra">\n${suites.join('\n')}\n</testsuites>\n`;
}

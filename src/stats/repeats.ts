import { mean, sampleStandardDeviation } from 'simple-statistics';

/** Two-sided 95 % critical values of Student's t for 1..30 degrees of freedom; 1.96 beyond. */
const T_975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069,
  2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/** Mean and the half-width of its 95 % confidence interval (Student's t); the half-width is null for one value. */
export function meanCi95(values: readonly number[]): { mean: number; ci: number | null; n: number } {
  if (values.length === 0) return { mean: NaN, ci: null, n: 0 };
  if (values.length === 1) return { mean: values[0] as number, ci: null, n: 1 };
  const df = values.length - 1;
  const t = T_975[df - 1] ?? 1.96;
  return { mean: mean([...values]), ci: (t * sampleStandardDeviation([...values])) / Math.sqrt(values.length), n: values.length };
}

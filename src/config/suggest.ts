/**
 * "Did you mean": the closest known name to a mistyped one, so `--msg_rat=100` is answered with
 * the flag the user meant instead of only "unknown".
 */

/** Edit distance counting a swap of two neighbouring letters as one edit ("tset" → "test"), row by row. */
export function editDistance(a: string, b: string): number {
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, (before[j - 2] as number) + 1);
      current.push(d);
    }
    before = previous;
    previous = current;
  }
  return previous[b.length] as number;
}

/**
 * The known name closest to `typed`, or undefined when none is close: at most a third of the
 * name's letters wrong (at least one), or `typed` a prefix of exactly one name.
 */
export function closestName(typed: string, known: readonly string[]): string | undefined {
  const t = typed.toLowerCase().replace(/-/g, '_');
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    const distance = editDistance(t, name.toLowerCase().replace(/-/g, '_'));
    if (!best || distance < best.distance) best = { name, distance };
  }
  if (best && best.distance <= Math.max(1, Math.floor(t.length / 3))) return best.name;
  const prefixed = known.filter((name) => t.length >= 3 && name.startsWith(t));
  return prefixed.length === 1 ? prefixed[0] : undefined;
}

/** " (did you mean --msg_rate?)", or '' when nothing is close. */
export function didYouMean(typed: string, known: readonly string[], prefix = ''): string {
  const name = closestName(typed, known);
  return name === undefined ? '' : ` (did you mean ${prefix}${name}?)`;
}

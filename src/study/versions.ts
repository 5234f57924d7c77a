import * as fs from 'node:fs';
import * as path from 'node:path';

function packageVersion(file: string): string {
  try {
    return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Versions that can change a study's numbers, recorded in its spec. */
export function runtimeVersions(): Record<string, string> {
  // Compiled to dist/src/study: the repository root is three levels up.
  const root = path.resolve(__dirname, '..', '..', '..');
  const dep = (name: string): string => packageVersion(path.join(root, 'node_modules', name, 'package.json'));
  return {
    hydra: packageVersion(path.join(root, 'package.json')),
    node: process.version,
    kafkajs: dep('kafkajs'),
    zeromq: dep('zeromq'),
  };
}

import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { ConfigError } from '../../errors';
import { CLIENT_LIBRARY_REGISTRY, REPO_ROOT } from '../registry';
import type { RdModule } from './api';

/** The command that installs the librdkafka client, named by every error about it missing. */
export const LIBRDKAFKA_SETUP = CLIENT_LIBRARY_REGISTRY.librdkafka.install?.setup ?? '';

/**
 * Where the librdkafka client is installed: clients/librdkafka of this checkout, apart from the
 * main dependencies so the main job never builds it (the registry's install marker is in it).
 */
export function librdkafkaPackageDir(): string {
  return path.join(REPO_ROOT, 'clients', 'librdkafka');
}

const PACKAGE = '@confluentinc/kafka-javascript';

/** Whether the librdkafka client is installed here (its package directory exists: loading it is not needed to know). */
export function librdkafkaInstalled(dir = librdkafkaPackageDir()): boolean {
  return fs.existsSync(path.join(dir, 'node_modules', PACKAGE, 'package.json'));
}

/** Refuses a configuration that asks for librdkafka where it is not installed, in one line naming the command. */
export function checkLibrdkafkaInstalled(source: string, dir = librdkafkaPackageDir()): void {
  if (!librdkafkaInstalled(dir)) throw new ConfigError(source, 'librdkafka', `the librdkafka client is not installed here: run ${LIBRDKAFKA_SETUP}`);
}

let loaded: RdModule | null = null;

/** The native module, loaded on first use (its addon starts librdkafka's threads only when a client is made). */
export function loadLibrdkafka(source = 'client_library'): RdModule {
  if (loaded) return loaded;
  checkLibrdkafkaInstalled(source);
  const requireFromClient = createRequire(path.join(librdkafkaPackageDir(), 'package.json'));
  try {
    loaded = requireFromClient(PACKAGE) as RdModule;
  } catch (err) {
    // Installed but not loadable: its addon was built against libraries since removed or upgraded.
    throw new ConfigError(
      source,
      'librdkafka',
      `the librdkafka client does not load (${(err as Error).message.split('\n')[0]}): rebuild it: rm -rf clients/librdkafka/node_modules && ${LIBRDKAFKA_SETUP}`,
    );
  }
  return loaded;
}

import type { ClientLibraryName, HydraOptions } from '../config/options';
import { ConfigError } from '../errors';
import { checkLibrdkafkaInstalled } from '../librdkafka/load';

/**
 * What the client libraries a study uses need, checked before anything is stored or launched:
 * librdkafka installed here, and no setting it has no equivalent for; librdkafka properties only
 * where some point uses librdkafka (else they would be silently ignored).
 */
export function checkClientLibraries(
  libraries: Iterable<ClientLibraryName>,
  options: Pick<HydraOptions, 'ssl_servername' | 'librdkafka'>,
  sourceOf: (name: 'client_library' | 'ssl_servername') => string,
): void {
  const used = new Set(libraries);
  if (used.has('librdkafka')) {
    checkLibrdkafkaInstalled(sourceOf('client_library'));
    if (options.ssl_servername !== '')
      throw new ConfigError(
        sourceOf('ssl_servername'),
        options.ssl_servername,
        'the librdkafka client has no equivalent (it verifies each broker by its own host name); leave it empty or use client_library=kafkajs',
      );
    return;
  }
  for (const section of ['client', 'producer', 'consumer'] as const) {
    const key = Object.keys(options.librdkafka?.[section] ?? {})[0];
    if (key !== undefined)
      throw new ConfigError(
        `[${section}] ${key}`,
        String(options.librdkafka[section][key]),
        `is a librdkafka property, and no point uses the librdkafka client (${sourceOf('client_library')}=librdkafka)`,
      );
  }
}

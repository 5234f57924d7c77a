import type { ClientLibraryName, HydraOptions, PointParams } from '../config/options';
import { PASSTHROUGH_DIALECTS } from '../config/passthrough';
import { ConfigError } from '../errors';
import { CLIENT_LIBRARY_REGISTRY, isInstalled } from './registry';

/**
 * What a point or a study asks of its client libraries, checked from the registry: each rule names
 * the setting (flag, ini key or field) through `sourceOf`.
 */

type SourceOf<K extends string> = (key: K) => string;

/** Refuses a library that is not installed here, in one line naming the command that installs it. */
export function checkInstalled(name: ClientLibraryName, source: string): void {
  const install = CLIENT_LIBRARY_REGISTRY[name].install;
  if (install !== null && !isInstalled(name)) throw new ConfigError(source, name, `the ${name} client is not installed here: run ${install.setup}`);
}

/** The point's producer settings its library can honour: its codecs. */
export function checkClientPoint(params: Pick<PointParams, 'client_library' | 'compression'>, sourceOf: SourceOf<'client_library' | 'compression'>): void {
  const library = CLIENT_LIBRARY_REGISTRY[params.client_library];
  if (!library.codecs.includes(params.compression)) {
    const having = (Object.keys(CLIENT_LIBRARY_REGISTRY) as ClientLibraryName[]).filter((n) => CLIENT_LIBRARY_REGISTRY[n].codecs.includes(params.compression));
    throw new ConfigError(
      sourceOf('compression'),
      params.compression,
      `needs the ${having.join(' or ')} client: set client_library=${having[0] ?? '?'} (${params.client_library}, the ${sourceOf('client_library')}, has only ${library.codecs.join(' and ')} built in)`,
    );
  }
}

/** What a cluster that speaks like librdkafka's mock (the embedded broker) cannot do with this library: its idempotent producer, for one. */
export function checkClientOnMockCluster(params: Pick<PointParams, 'idempotent' | 'client_library'>, sourceOf: SourceOf<'idempotent'>): void {
  const why = CLIENT_LIBRARY_REGISTRY[params.client_library].mockClusterIdempotence;
  if (params.idempotent && why !== null) throw new ConfigError(sourceOf('idempotent'), 'true', why);
}

/**
 * What the client libraries a study uses need, before anything is stored or launched: each
 * installed here, no setting it has no equivalent for, passthrough keys only in a dialect some
 * point's library reads (else they would be silently ignored), and on the embedded broker no
 * idempotent producer its library cannot run there.
 */
export function checkClientLibraries(
  libraries: Iterable<ClientLibraryName>,
  options: Pick<HydraOptions, 'ssl_servername' | 'librdkafka' | 'kafkajs' | 'idempotent' | 'brokers'>,
  sourceOf: SourceOf<'client_library' | 'ssl_servername' | 'idempotent'>,
): void {
  const used = [...new Set(libraries)];
  for (const name of used) {
    const library = CLIENT_LIBRARY_REGISTRY[name];
    checkInstalled(name, sourceOf('client_library'));
    if (options.ssl_servername !== '' && !library.tlsServername)
      throw new ConfigError(
        sourceOf('ssl_servername'),
        options.ssl_servername,
        `the ${name} client has no equivalent (it verifies each broker by its own host name); leave it empty or use client_library=kafkajs`,
      );
    if (options.brokers.length === 0) checkClientOnMockCluster({ idempotent: options.idempotent, client_library: name }, sourceOf);
  }
  const dialects = new Set(used.map((name) => CLIENT_LIBRARY_REGISTRY[name].dialect));
  for (const dialect of PASSTHROUGH_DIALECTS) {
    if (dialects.has(dialect)) continue;
    for (const section of ['client', 'producer', 'consumer'] as const) {
      const values = options[dialect]?.[section] ?? {};
      const key = Object.keys(values)[0];
      const readers = (Object.keys(CLIENT_LIBRARY_REGISTRY) as ClientLibraryName[]).filter((n) => CLIENT_LIBRARY_REGISTRY[n].dialect === dialect);
      if (key !== undefined)
        throw new ConfigError(
          `[${section}] ${key}`,
          String(values[key]),
          `is a ${dialect} ${dialect === 'kafkajs' ? 'option' : 'property'}, and no point uses the ${readers.join(' or ')} client (${sourceOf('client_library')}=${readers[0] ?? '?'})`,
        );
    }
  }
}

/** The sends of a library's producer linger inside the client for this long, ms (the verdict allows for it). */
export function sendLingerMs(params: Pick<PointParams, 'client_library' | 'linger_ms'>): number {
  return CLIENT_LIBRARY_REGISTRY[params.client_library].lingersItself ? params.linger_ms : 0;
}

/** The note on reordering the publishers' own client may cause in this point; null when their order is Kafka's to keep. */
export function clientReorderNote(params: Pick<PointParams, 'client_library' | 'max_in_flight' | 'idempotent'>): string | null {
  return CLIENT_LIBRARY_REGISTRY[params.client_library].reorderNote(params.max_in_flight, params.idempotent);
}

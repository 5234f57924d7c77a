import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ClientLibraryName, Compression } from '../config/options';
import type { PassthroughDialect } from '../config/passthrough';

/**
 * Every Kafka client library the apps can use, described once: what it can do, whether it is
 * installed here and how to install it, which of hydra.ini's passthrough keys it reads, and the
 * module that makes its producers and consumers. The rules (client/rules.ts), the session, the
 * verdict's context and the apps read this table; a name in CLIENT_LIBRARIES without an entry
 * here does not compile. Adding a library: its name in config/options.ts, its entry here, its
 * folder beside kafkajs/ and librdkafka/ exporting `createLibrary()` (the seam, seam.ts).
 */
export interface ClientLibraryDescription {
  /** One line: what it is, for help and errors. */
  summary: string;
  /** Compression codecs its producer has. */
  codecs: readonly Compression[];
  /**
   * Why its idempotent producer cannot run on the embedded broker (librdkafka's mock cluster), or
   * null when it can.
   */
  mockClusterIdempotence: string | null;
  /**
   * Its producer holds messages back for linger_ms itself, after send(), so the pacing loop sends
   * each batch when due; its sends then take their linger on top of the broker's answer, which the
   * verdict allows for.
   */
  lingersItself: boolean;
  /** The note on reordering its producer may cause with `maxInFlight` requests in flight; null when the order is Kafka's to keep. */
  reorderNote(maxInFlight: number, idempotent: boolean): string | null;
  /** It can verify a broker by the TLS server name of [security] ssl_servername. */
  tlsServername: boolean;
  /** The passthrough keys it reads ([client], [producer], [consumer] of hydra.ini): kafkajs's option names or librdkafka's properties. */
  dialect: PassthroughDialect;
  /** Installed apart from the main dependencies: a file that exists once it is, from the repository root, and the command that installs it. */
  install: { marker: string; setup: string } | null;
  /** The module, from this folder, whose `createLibrary()` makes its producers and consumers; loaded on first use only. */
  module: string;
}

/**
 * Why reordering is not shown for kafkajs with more than one request in flight: it encodes a
 * produce request asynchronously before queueing it on the connection, so of two concurrent
 * requests the one that encodes faster is sent first, with no retry involved (measured on the
 * embedded broker: 1 664 of 4 000 messages reordered with 2 in flight and 4-message requests, none
 * with 1). That order is the client's, not Kafka's.
 */
export const CLIENT_REORDER_NOTE =
  'reordered not shown: with max_in_flight > 1 kafkajs encodes produce requests concurrently and can send them out of order, so reordering here would be the client’s, not Kafka’s (max_in_flight=1 measures Kafka’s order)';

/**
 * Why reordering is not shown for librdkafka with more than one request in flight and no
 * idempotence: it sends in order, but a retried request lands after the later ones already sent.
 * That is the producer's configuration, not Kafka's order; the idempotent producer keeps it.
 */
export const LIBRDKAFKA_REORDER_NOTE =
  'reordered not shown: with max_in_flight > 1 and no idempotence a retried request lands after later ones, so reordering here would be the producer’s configuration, not Kafka’s (idempotent=true or max_in_flight=1 keeps the order)';

/**
 * Why kafkajs's idempotent producer cannot run on the embedded broker: it asks the controller for a
 * producer id, and librdkafka 2.0's mock cluster names controller 0, a broker it does not have.
 * The librdkafka client asks any broker, and runs there.
 */
export const EMBEDDED_NO_IDEMPOTENCE =
  "the embedded broker (librdkafka's mock cluster) names controller 0, a broker it does not have, and kafkajs asks the controller for the idempotent producer's id; use the librdkafka client (client_library=librdkafka) or a real cluster ([broker] brokers)";

/** What both librdkafka-based clients are, because librdkafka is: its codecs, its linger, its ordering, its TLS. */
const LIBRDKAFKA_TRAITS: Omit<ClientLibraryDescription, 'summary' | 'install' | 'module'> = {
  codecs: ['none', 'gzip', 'snappy', 'lz4', 'zstd'],
  mockClusterIdempotence: null,
  lingersItself: true,
  reorderNote: (maxInFlight, idempotent) => (maxInFlight > 1 && !idempotent ? LIBRDKAFKA_REORDER_NOTE : null),
  tlsServername: false,
  dialect: 'librdkafka',
};

export const CLIENT_LIBRARY_REGISTRY: Readonly<Record<ClientLibraryName, ClientLibraryDescription>> = {
  kafkajs: {
    summary: 'kafkajs 2.2.4, JavaScript (the default)',
    codecs: ['none', 'gzip'],
    mockClusterIdempotence: EMBEDDED_NO_IDEMPOTENCE,
    lingersItself: false,
    reorderNote: (maxInFlight) => (maxInFlight > 1 ? CLIENT_REORDER_NOTE : null),
    tlsServername: true,
    dialect: 'kafkajs',
    install: null,
    module: 'kafkajs/library',
  },
  librdkafka: {
    summary: 'librdkafka through @confluentinc/kafka-javascript (native, installed apart)',
    ...LIBRDKAFKA_TRAITS,
    install: { marker: 'clients/librdkafka/node_modules/@confluentinc/kafka-javascript/package.json', setup: 'bash scripts/setup.sh librdkafka' },
    module: 'librdkafka/library',
  },
  native: {
    summary: "hydra's native core: librdkafka driven from C, each message paced, built and counted outside JavaScript (built apart)",
    ...LIBRDKAFKA_TRAITS,
    install: { marker: 'clients/native/build/hydra_native.node', setup: 'bash scripts/setup.sh native' },
    module: 'native/library',
  },
};

/** The repository root: this file is compiled to dist/src/client. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

/** Whether a library can be loaded here (one installed apart: its marker file exists). */
export function isInstalled(name: ClientLibraryName, root = REPO_ROOT): boolean {
  const install = CLIENT_LIBRARY_REGISTRY[name].install;
  return install === null || fs.existsSync(path.join(root, install.marker));
}

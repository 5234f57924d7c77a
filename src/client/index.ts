import type { ClientLibraryName } from '../config/options';
import type { ClientLibrary } from './seam';
import type * as KafkajsModule from '../kafkajs/library';
import type * as LibrdkafkaModule from '../librdkafka/library';

export type { ClientLibrary, ConsumerClient, ConsumerEvents, ConsumerSettings, OutgoingMessage, ProduceRequest, ProducerClient, ProducerShape } from './seam';
export { RequestRecorder } from './requests';

const loaded = new Map<ClientLibraryName, ClientLibrary>();

/**
 * The client library `name` names, loaded on first use: an app that never uses librdkafka never
 * loads its native module (which may not be installed at all).
 */
export function clientLibrary(name: ClientLibraryName): ClientLibrary {
  let library = loaded.get(name);
  if (!library) {
    /* eslint-disable @typescript-eslint/no-require-imports -- loaded when first asked for */
    library =
      name === 'kafkajs'
        ? new (require('../kafkajs/library') as typeof KafkajsModule).KafkajsLibrary()
        : new (require('../librdkafka/library') as typeof LibrdkafkaModule).LibrdkafkaLibrary();
    /* eslint-enable @typescript-eslint/no-require-imports */
    loaded.set(name, library);
  }
  return library;
}

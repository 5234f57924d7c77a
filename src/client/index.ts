import * as path from 'node:path';
import type { ClientLibraryName } from '../config/options';
import { CLIENT_LIBRARY_REGISTRY } from './registry';
import { checkInstalled } from './rules';
import type { ClientLibrary } from './seam';

export type {
  BooksSettings,
  BooksSnapshot,
  ClientBooks,
  ClientLibrary,
  ConsumerClient,
  ConsumerEvents,
  ConsumerSettings,
  OutgoingMessage,
  ProduceRequest,
  ProducerClient,
  ProducerShape,
  TimelineSettings,
  WindowOutcome,
  WindowPacing,
  WindowPlacement,
  WindowPublisher,
} from './seam';
export { RequestRecorder } from './requests';

const loaded = new Map<ClientLibraryName, ClientLibrary>();

/**
 * The client library `name` names, made on first use from the module its registry entry names: a
 * process loads only the libraries it uses (a librdkafka publisher never loads kafkajs, and no app
 * loads a native module it does not need, which may not be installed at all). This is the one
 * guard at the app's own boundary: a library not installed here is one line naming its setup.
 */
export function clientLibrary(name: ClientLibraryName): ClientLibrary {
  let library = loaded.get(name);
  if (!library) {
    checkInstalled(name, 'client_library');
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a plugin, loaded by its registry entry when first asked for
    const module = require(path.join(__dirname, CLIENT_LIBRARY_REGISTRY[name].module)) as { createLibrary(): ClientLibrary };
    library = module.createLibrary();
    loaded.set(name, library);
  }
  return library;
}

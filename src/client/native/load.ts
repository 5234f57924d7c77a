import * as path from 'node:path';
import { ConfigError } from '../../errors';
import { CLIENT_LIBRARY_REGISTRY, REPO_ROOT } from '../registry';
import { checkInstalled } from '../rules';
import type { NativeModule } from './api';

const install = CLIENT_LIBRARY_REGISTRY.native.install;

/** The built addon: the registry's install marker. HYDRA_NATIVE_ADDON names another build (the AddressSanitizer one, in its test). */
export function nativeAddonPath(): string {
  return process.env.HYDRA_NATIVE_ADDON ?? path.join(REPO_ROOT, install?.marker ?? '');
}

let loaded: NativeModule | null = null;

/** The addon, loaded on first use with its clock set to this process's; one line naming the setup when it is missing or does not load. */
export function loadNative(source = 'client_library'): NativeModule {
  if (loaded) return loaded;
  if (process.env.HYDRA_NATIVE_ADDON === undefined) checkInstalled('native', source);
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a native addon, built apart
    loaded = require(nativeAddonPath()) as NativeModule;
  } catch (err) {
    // Built but not loadable: Debian's librdkafka was removed or upgraded since.
    throw new ConfigError(
      source,
      'native',
      `the native client does not load (${(err as Error).message.split('\n')[0]}): rebuild it: ${install?.setup ?? 'bash scripts/setup.sh native'}`,
    );
  }
  // The apps' clock (apps/message.ts nowMs), which the cores' times must compare with.
  loaded.alignClock(performance.timeOrigin + performance.now());
  return loaded;
}

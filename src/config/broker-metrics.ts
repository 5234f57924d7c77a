import type { HydraOptions } from './options';
import { endpointAccess, type EndpointAccess } from '../broker-metrics/endpoint';
import { parseNameOverrides, type SeriesId } from '../broker-metrics/names';

/** What a session scrapes with: the endpoints, their access (secrets read once) and the name overrides. */
export interface BrokerMetricsSettings {
  endpoints: string[];
  access: EndpointAccess;
  overrides: Partial<Record<SeriesId, string>>;
}

type Options = Pick<
  HydraOptions,
  | 'broker_metrics'
  | 'broker_metrics_timeout_ms'
  | 'broker_metrics_ca_file'
  | 'broker_metrics_username'
  | 'broker_metrics_password_env'
  | 'broker_metrics_password_file'
  | 'broker_metrics_token_env'
  | 'broker_metrics_token_file'
  | 'broker_metrics_names'
>;

/** Checks the [broker_metrics] settings when options are resolved (nothing is read from the environment yet). */
export function checkBrokerMetrics(o: Options, sourceOf: (name: keyof HydraOptions) => string): void {
  // The URLs are checked as their kind ('urls', config/resolve.ts).
  parseNameOverrides(o.broker_metrics_names, sourceOf('broker_metrics_names'));
}

/** The settings a session scrapes with, secrets read now; null when no endpoint is configured. */
export function brokerMetricsSettings(o: Options, env: NodeJS.ProcessEnv = process.env): BrokerMetricsSettings | null {
  if (o.broker_metrics.length === 0) return null;
  return {
    endpoints: [...o.broker_metrics],
    access: endpointAccess(o, env),
    overrides: parseNameOverrides(o.broker_metrics_names, 'hydra.ini [broker_metrics] names'),
  };
}

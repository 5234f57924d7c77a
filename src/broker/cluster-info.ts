/** Which cluster a study ran against (stored in study.json). */
export interface ClusterInfo {
  cluster_id: string;
  broker_count: number;
  /** What the first broker serves (ApiVersions) and the release floor it implies; absent when it could not be asked. */
  broker_apis?: BrokerApis;
}

/**
 * What a broker says about itself in the Kafka protocol: no release string exists there (and
 * kafkajs exposes none), but ApiVersions lists every API the broker serves with its highest
 * version, and APIs arrive with known releases. hydra records that list and the release it
 * implies as a lower bound.
 */
export interface BrokerApis {
  /** API key → highest version the broker serves. */
  max_versions: Record<string, number>;
  /** Earliest Apache Kafka release serving all of them (from the newest API present); null when none of the markers is present. */
  version_floor: string | null;
}

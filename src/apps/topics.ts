/**
 * How a point's clients and messages spread over its topics — one rule for the runner, which
 * configures the apps, and the sub apps, which make a consumer per client: client i reads topic
 * i mod n, and a shared group is one group per topic.
 */

/**
 * The names of a point's `count` topics on `base` (the session's or the point's topic): `base`
 * itself for one (as before topics were an axis), `<base>-t0` ... `<base>-t<n-1>` for several.
 */
export function topicNames(base: string, count: number): string[] {
  return count === 1 ? [base] : Array.from({ length: count }, (_, i) => `${base}-t${i}`);
}

/** The topic index client `clientIndex` (point-wide) reads: clients spread over the topics in turn. */
export function topicOfClient(clientIndex: number, topics: number): number {
  return clientIndex % topics;
}

/** Clients per topic index when `clients` spread over `topics` in turn. */
export function clientsPerTopic(clients: number, topics: number): number[] {
  return Array.from({ length: topics }, (_, t) => Math.floor(clients / topics) + (t < clients % topics ? 1 : 0));
}

/**
 * The shared group of the clients reading topic `topicIndex`: the point's one group with one
 * topic, a group per topic (`<group>-t<i>`) with several, each dividing its own topic's partitions.
 */
export function sharedGroupOfTopic(group: string, topicIndex: number, topics: number): string {
  return topics === 1 ? group : `${group}-t${topicIndex}`;
}

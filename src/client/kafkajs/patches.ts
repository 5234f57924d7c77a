/**
 * Two harness costs inside kafkajs 2.2.4, removed for that exact version only (any other version
 * is left untouched), and one thing it does not tell: the throttle time brokers ask for. Import
 * this module before 'kafkajs' itself.
 *
 * 1. Idle loop. kafkajs 2.2.4 keeps every broker connection's request queue polling itself with a 1 ms timer
 * even when nothing waits in it (tulios/kafkajs#1556, #1704; unfixed upstream): each idle
 * connection wakes the event loop about a thousand times a second. A sub app holds two or three
 * connections per client, so at 25 clients an app burned most of its CPU on these timers and
 * hydra reported its subscribers saturated by its own client library. Measured on the embedded
 * broker, one idle consumer alone used 54 ms of CPU per second with the loop and 22 ms without.
 *
 * The fix keeps the library's schedule whenever it has a reason to check later (requests pending,
 * or a broker throttle in force) and skips it otherwise: a request pushed later is either sent at
 * once or schedules its own check, so nothing is left waiting.
 *
 * 2. Quadratic grouping. producer.send groups a request's messages by partition by copying the
 * partition's list for every message ([...current, message]): a 1 000-message request copies half
 * a million array slots, about a tenth of the publisher's CPU at its ceiling. It is replaced by a
 * grouping that appends in place (same result, same order within a partition). kafkajs's producer
 * takes the function when its module loads, so this module seeds the require cache first.
 *
 * 3. Throttle time. A broker over a client quota answers with throttle_time_ms, and a kafkajs
 * connection then holds its next requests back that long (KIP-219, RequestQueue.maybeThrottle)
 * without emitting anything. onClientThrottle() hears each such answer, so a publisher held back
 * by Kafka's quotas can say so instead of looking slow itself. (Brokers older than Kafka 2.0
 * delay the answer themselves instead: that shows in the request's round trip.)
 */
import Module from 'node:module';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The kafkajs version whose request queue this fix knows. */
export const PATCHED_KAFKAJS_VERSION = '2.2.4';

interface RequestQueueInternals {
  pending: unknown[];
  throttledUntil: number;
  scheduleCheckPendingRequests(): void;
  maybeThrottle(clientSideThrottleTime: number | null | undefined): void;
}

interface RequestQueueClass {
  prototype: RequestQueueInternals;
}

const APPLIED = Symbol.for('hydra.kafkajs.idleLoopFix');

interface GroupArgs<M> {
  topic: string;
  partitionMetadata: unknown[];
  messages: M[];
  partitioner: (args: { topic: string; partitionMetadata: unknown[]; message: M }) => number;
}

/** kafkajs's groupMessagesPerPartition, in linear time: partition → that partition's messages, in send order. */
export function groupMessagesPerPartition<M>({ topic, partitionMetadata, messages, partitioner }: GroupArgs<M>): Record<number, M[]> {
  const groups: Record<number, M[]> = {};
  if (partitionMetadata.length === 0) return groups;
  for (const message of messages) {
    const partition = partitioner({ topic, partitionMetadata, message });
    (groups[partition] ??= []).push(message);
  }
  return groups;
}

const GROUPING_MODULE = 'kafkajs/src/producer/groupMessagesPerPartition';

/**
 * Seeds the require cache with the linear grouping, so kafkajs's producer loads it instead of its
 * own. True when the producer uses it (seeded now, or already).
 */
export function applyLinearGrouping(): boolean {
  if (installedKafkajsVersion() !== PATCHED_KAFKAJS_VERSION) return false;
  const id = require.resolve(GROUPING_MODULE);
  const cached = require.cache[id];
  if (cached) return cached.exports === groupMessagesPerPartition;
  const mod = new Module(id, module);
  mod.filename = id;
  mod.loaded = true;
  mod.exports = groupMessagesPerPartition;
  require.cache[id] = mod;
  return true;
}

/** The installed kafkajs version, read from its package.json. */
export function installedKafkajsVersion(): string | null {
  try {
    // kafkajs's main file sits at its package root, beside package.json.
    const pkg = path.join(path.dirname(require.resolve('kafkajs')), 'package.json');
    return (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { version?: string }).version ?? null;
  } catch {
    return null;
  }
}

/**
 * kafkajs's RequestQueue prototype, to patch once per process under `mark`: null when the
 * installed kafkajs is not the version these patches know, or `member` is not a function there.
 */
function requestQueueToPatch(mark: symbol, member: keyof RequestQueueInternals): (RequestQueueInternals & Record<symbol, true | undefined>) | null {
  if (installedKafkajsVersion() !== PATCHED_KAFKAJS_VERSION) return null;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- an internal module of the pinned kafkajs, not in its typings
  const RequestQueue = require('kafkajs/src/network/requestQueue') as RequestQueueClass;
  const proto = RequestQueue.prototype as RequestQueueInternals & Record<symbol, true | undefined>;
  return proto[mark] || typeof proto[member] === 'function' ? proto : null;
}

/** Applies the fix once per process; true when it is in force. */
export function applyIdleLoopFix(): boolean {
  const proto = requestQueueToPatch(APPLIED, 'scheduleCheckPendingRequests');
  if (!proto) return false;
  if (proto[APPLIED]) return true;
  const schedule = proto.scheduleCheckPendingRequests;
  proto.scheduleCheckPendingRequests = function (this: RequestQueueInternals): void {
    if (this.pending.length === 0 && this.throttledUntil <= Date.now()) return;
    schedule.call(this);
  };
  proto[APPLIED] = true;
  return true;
}

const THROTTLE_HOOKED = Symbol.for('hydra.kafkajs.throttleHook');
const throttleListeners = new Set<(ms: number) => void>();

/** Calls `listener` with every throttle time (ms) a broker asks of this process's kafkajs clients; returns its removal. */
export function onClientThrottle(listener: (ms: number) => void): () => void {
  throttleListeners.add(listener);
  return () => throttleListeners.delete(listener);
}

/** Hooks kafkajs's client-side throttle; true when throttle times are heard. */
export function applyThrottleHook(): boolean {
  const proto = requestQueueToPatch(THROTTLE_HOOKED, 'maybeThrottle');
  if (!proto) return false;
  if (proto[THROTTLE_HOOKED]) return true;
  const maybeThrottle = proto.maybeThrottle;
  proto.maybeThrottle = function (this: RequestQueueInternals, clientSideThrottleTime: number | null | undefined): void {
    if (typeof clientSideThrottleTime === 'number' && clientSideThrottleTime > 0) for (const listener of throttleListeners) listener(clientSideThrottleTime);
    maybeThrottle.call(this, clientSideThrottleTime);
  };
  proto[THROTTLE_HOOKED] = true;
  return true;
}

applyLinearGrouping();
applyIdleLoopFix();
applyThrottleHook();

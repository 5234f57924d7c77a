// Before kafkajs itself: see patches.ts.
import { onClientThrottle } from './patches';
import type { Consumer, Producer, RequestEvent, RequestTimeoutEvent } from 'kafkajs';
import type { RequestRecorder } from '../requests';

/** The kafkajs request kinds hydra times: a publisher's produce requests, a sub app's fetches. */
export type TimedApi = 'Produce' | 'Fetch';

/**
 * Feeds `recorder` with `client`'s requests of kind `api` from kafkajs's instrumentation events:
 * each request's time on the wire and its wait in the client's queue.
 */
export function timeRequests(client: Producer | Consumer, api: TimedApi, recorder: RequestRecorder): void {
  const onRequest = (event: RequestEvent): void => {
    if (event.payload.apiName === api) recorder.answered(event.payload.duration, event.payload.pendingDuration);
  };
  const onTimeout = (event: RequestTimeoutEvent): void => {
    if (event.payload.apiName === api) recorder.timedOut();
  };
  // The two clients' event maps are typed apart; the events are the same network ones.
  if ('send' in client) {
    client.on(client.events.REQUEST, onRequest);
    client.on(client.events.REQUEST_TIMEOUT, onTimeout);
  } else {
    client.on(client.events.REQUEST, onRequest);
    client.on(client.events.REQUEST_TIMEOUT, onTimeout);
  }
}

const hearing = new WeakSet<RequestRecorder>();

/**
 * Feeds `recorder` with the throttle times brokers ask of this process's kafkajs clients (a
 * quota holds them all back; patches.ts hears them), once per recorder.
 */
export function hearThrottles(recorder: RequestRecorder): void {
  if (hearing.has(recorder)) return;
  hearing.add(recorder);
  onClientThrottle((ms) => recorder.throttle(ms));
}

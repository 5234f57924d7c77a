// Before kafkajs itself: see patches.ts.
import { onClientThrottle } from './patches';
import type { Consumer, Producer, RequestEvent, RequestTimeoutEvent } from 'kafkajs';
import type { BrokerRequestTelemetry } from '../control/wire';
import { LatencyHistogram } from '../stats/histogram';

/** The kafkajs request kinds hydra times: a publisher's produce requests, a sub app's fetches. */
export type TimedApi = 'Produce' | 'Fetch';

/**
 * How long brokers took to answer one kind of request of an app's kafkajs clients, from kafkajs's
 * instrumentation events (each request's time on the wire and its wait in the client's queue) and
 * the throttle times brokers asked for (patches.ts). One recorder per app: every client it
 * watches adds to it, and reset() opens a new window.
 */
export class BrokerRequestRecorder {
  private rtt = new LatencyHistogram();
  private requests = 0;
  private queueMaxMs = 0;
  private timeouts = 0;
  private throttleMs = 0;
  private throttleMaxMs = 0;
  private throttled = 0;
  private readonly stopHearing: () => void;

  constructor(private readonly api: TimedApi) {
    // Throttle answers are heard for every API of the process's clients: a quota holds them all back.
    this.stopHearing = onClientThrottle((ms) => {
      this.throttleMs += ms;
      this.throttled++;
      if (ms > this.throttleMaxMs) this.throttleMaxMs = ms;
    });
  }

  /** Times `client`'s requests of this recorder's kind from now on. */
  watch(client: Producer | Consumer): void {
    const onRequest = (event: RequestEvent): void => {
      const e = event.payload;
      if (e.apiName !== this.api) return;
      this.requests++;
      this.rtt.record(e.duration * 1000);
      if (e.pendingDuration > this.queueMaxMs) this.queueMaxMs = e.pendingDuration;
    };
    const onTimeout = (event: RequestTimeoutEvent): void => {
      if (event.payload.apiName === this.api) this.timeouts++;
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

  reset(): void {
    this.rtt = new LatencyHistogram();
    this.requests = 0;
    this.queueMaxMs = 0;
    this.timeouts = 0;
    this.throttleMs = 0;
    this.throttleMaxMs = 0;
    this.throttled = 0;
  }

  read(): BrokerRequestTelemetry {
    return {
      requests: this.requests,
      rtt: this.rtt.toJSON(),
      queue_max_ms: this.queueMaxMs,
      throttle_ms: this.throttleMs,
      throttle_max_ms: this.throttleMaxMs,
      throttled: this.throttled,
      timeouts: this.timeouts,
    };
  }

  close(): void {
    this.stopHearing();
  }
}

import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { RULE_SET_NAMES } from '../src/broker-metrics/names';

/**
 * A broker's Prometheus endpoint for tests, serving exposition text named as a JMX exporter rule
 * set names Kafka's MBeans, with counters that move as time passes (so rates and idle shares over
 * a window are real arithmetic), or misbehaving: a missing metric, a slow or garbage answer.
 */
export type FakeMode = 'ok' | 'missing-network' | 'slow' | 'garbage' | 'http-500';

export interface FakeBrokerState {
  /** Request handler idle share, 0..1, and network threads'. */
  handlerIdle: number;
  networkIdle: number;
  /** Messages and bytes in per second; produce p99 times, ms. */
  messagesInPerS: number;
  bytesPerMessage: number;
  produceQueueP99: number;
  produceTotalP99: number;
  requestQueue: number;
}

export class FakePrometheus {
  private server: http.Server | null = null;
  private readonly started = Date.now();
  requests = 0;
  /** Authorization headers seen, for the auth tests. */
  readonly authorizations: (string | undefined)[] = [];

  constructor(
    public ruleSet: 'jmx_exporter_example' | 'strimzi',
    public state: FakeBrokerState,
    public mode: FakeMode = 'ok',
    private readonly slowMs = 5000,
  ) {}

  get url(): string {
    const port = (this.server?.address() as AddressInfo | null)?.port ?? 0;
    return `http://127.0.0.1:${port}/metrics`;
  }

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      this.requests++;
      this.authorizations.push(req.headers.authorization);
      if (this.mode === 'http-500') {
        res.writeHead(500).end('boom');
        return;
      }
      const send = (): void => {
        res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' });
        res.end(this.mode === 'garbage' ? 'this is {not" prometheus\n\u0000\u0001 12 13 14\n' : this.text());
      };
      if (this.mode === 'slow') setTimeout(send, this.slowMs).unref();
      else send();
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = null;
  }

  /** The exposition now: counters grown at the state's rates since the endpoint started. */
  text(): string {
    const n = RULE_SET_NAMES[this.ruleSet];
    const s = this.state;
    const seconds = (Date.now() - this.started) / 1000;
    const lines = [
      `# HELP ${n.handler_idle_ns} Attribute exposed for management`,
      `# TYPE ${n.handler_idle_ns} counter`,
      `${n.handler_idle_ns} ${(s.handlerIdle * 1e9 * seconds).toExponential(6)}`,
      `${n.handler_idle_mean} ${s.handlerIdle}`,
      ...(this.mode === 'missing-network' ? [] : [`${n.network_idle} ${s.networkIdle}`]),
      `${n.request_queue} ${s.requestQueue}`,
      `${n.messages_in} ${Math.round(s.messagesInPerS * seconds)}`,
      `${n.bytes_in} ${Math.round(s.messagesInPerS * s.bytesPerMessage * seconds)}`,
      `${n.bytes_in}{topic="other"} 123456`,
      `${n.bytes_out} ${Math.round(2 * s.messagesInPerS * s.bytesPerMessage * seconds)}`,
      `${n.under_replicated} 0`,
      `${n.isr_shrinks} 0`,
      ...(['0.50', '0.99'] as const).flatMap((q) => [
        `${n.request_queue_time}{request="Produce",quantile="${q}",} ${q === '0.99' ? s.produceQueueP99 : s.produceQueueP99 / 4}`,
        `${n.local_time}{request="Produce",quantile="${q}",} 1.0`,
        `${n.remote_time}{request="Produce",quantile="${q}",} 0.0`,
        `${n.response_queue_time}{request="Produce",quantile="${q}",} 0.0`,
        `${n.response_send_time}{request="Produce",quantile="${q}",} 0.1`,
        `${n.total_time}{request="Produce",quantile="${q}",} ${q === '0.99' ? s.produceTotalP99 : s.produceTotalP99 / 4}`,
        `${n.throttle_time}{request="Produce",quantile="${q}",} 0.0`,
        `${n.total_time}{request="FetchConsumer",quantile="${q}",} 500.0`,
        `${n.log_flush_time}{quantile="${q}",} 3.0`,
      ]),
      `${n.total_time}_count{request="Produce",} 42`,
    ];
    return lines.join('\n') + '\n';
  }
}

/** A broker at ease: handlers and network threads mostly idle, short produce times. */
export const IDLE_BROKER: FakeBrokerState = {
  handlerIdle: 0.9,
  networkIdle: 0.85,
  messagesInPerS: 1000,
  bytesPerMessage: 100,
  produceQueueP99: 2,
  produceTotalP99: 8,
  requestQueue: 0,
};

/** A broker whose request handlers are the bottleneck: 3 % idle, produce requests queued 780 ms at p99. */
export const BUSY_BROKER: FakeBrokerState = { ...IDLE_BROKER, handlerIdle: 0.03, produceQueueP99: 780, produceTotalP99: 900, requestQueue: 480 };

import { strict as assert } from 'node:assert';
import { checkEndpointUrl, endpointAccess, type EndpointAccess } from '../../src/broker-metrics/endpoint';
import { parseExposition } from '../../src/broker-metrics/exposition';
import { BROKER_FIELDS } from '../../src/broker-metrics/fields';
import { brokerFigures, type BrokerFigures, type BrokerMetricsRecord } from '../../src/broker-metrics/figures';
import { detectRuleSet, namesFor, parseNameOverrides, RULE_SET_NAMES } from '../../src/broker-metrics/names';
import { brokerPart, crossedParts } from '../../src/broker-metrics/verdict';
import { BrokerWatch } from '../../src/broker-metrics/watch';
import { parseThresholds, checkThresholds } from '../../src/gate/thresholds';
import { studyFigures } from '../../src/plot/study-figures';
import { withBrokerFigures } from '../../src/runner/judge';
import { fixtureFaultedPoint, fixturePoint } from '../fixtures';
import { BUSY_BROKER, FakePrometheus, IDLE_BROKER } from '../fake-prometheus';

const OPEN: EndpointAccess = { authorization: null, ca: null, timeoutMs: 1000 };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('broker metrics: Prometheus text as the JMX exporter serves it', () => {
  it('reads samples with labels (escapes, the trailing comma the exporter writes), special values, and counts what is not a sample', () => {
    const e = parseExposition(
      [
        '# HELP x a help line',
        '# TYPE x counter',
        'x 1.5e3',
        'y{request="Produce",quantile="0.99",} 780.0',
        'z{path="a\\"b\\\\c",le="+Inf"} +Inf',
        'n NaN',
        'garbage line here',
        'q{unclosed="x} 1',
        '',
      ].join('\n'),
    );
    assert.deepEqual(
      e.samples.map((s) => [s.name, s.labels, s.value]),
      [
        ['x', {}, 1500],
        ['y', { request: 'Produce', quantile: '0.99' }, 780],
        ['z', { path: 'a"b\\c', le: '+Inf' }, Infinity],
        ['n', {}, NaN],
      ],
    );
    assert.equal(e.malformed, 2);
  });

  it('tells the JMX exporter example from Strimzi by the names each serves, and takes overrides by series', () => {
    const served = (names: Record<string, string>): ReturnType<typeof parseExposition>['samples'] =>
      parseExposition(`${names.network_idle} 0.5\n${names.handler_idle_ns} 1\n`).samples;
    assert.equal(detectRuleSet(served(RULE_SET_NAMES.strimzi)), 'strimzi');
    assert.equal(detectRuleSet(served(RULE_SET_NAMES.jmx_exporter_example)), 'jmx_exporter_example');
    assert.equal(detectRuleSet(parseExposition('up 1\n').samples), 'unknown');
    assert.notEqual(RULE_SET_NAMES.strimzi.network_idle, RULE_SET_NAMES.jmx_exporter_example.network_idle);
    assert.equal(namesFor('strimzi', parseNameOverrides(['network_idle=my_idle'], 'x')).network_idle, 'my_idle');
    assert.throws(() => parseNameOverrides(['nope=x'], 'hydra.ini [broker_metrics] names'), /names="nope=x": 'nope' is not a broker series/);
    assert.throws(() => parseNameOverrides(['network_idle'], 'hydra.ini [broker_metrics] names'), /expected series=metric_name/);
  });

  it('checks endpoint URLs and reads credentials once, from the environment or a file, never from the URL', () => {
    assert.throws(() => checkEndpointUrl('kafka-1:7071', '--broker_metrics'), /--broker_metrics="kafka-1:7071": expected an http:\/\/ or https:\/\/ URL/);
    assert.throws(() => checkEndpointUrl('http://u:p@kafka-1:7071/metrics', '--broker_metrics'), /no credentials in the URL/);
    checkEndpointUrl('https://kafka-1:7071/metrics', '--broker_metrics');
    const base = {
      broker_metrics_timeout_ms: 500,
      broker_metrics_ca_file: '',
      broker_metrics_username: '',
      broker_metrics_password_env: '',
      broker_metrics_password_file: '',
      broker_metrics_token_env: '',
      broker_metrics_token_file: '',
    };
    assert.equal(endpointAccess({ ...base, broker_metrics_token_env: 'T' }, { T: 'tok' }).authorization, 'Bearer tok');
    assert.equal(
      endpointAccess({ ...base, broker_metrics_username: 'u', broker_metrics_password_env: 'P' }, { P: 'pw' }).authorization,
      `Basic ${Buffer.from('u:pw').toString('base64')}`,
    );
    assert.throws(
      () => endpointAccess({ ...base, broker_metrics_token_env: 'T' }, {}),
      /\[broker_metrics\] token_env="T": this environment variable is not set/,
    );
    assert.throws(() => endpointAccess({ ...base, broker_metrics_username: 'u' }, {}), /basic auth needs both username and password_env or password_file/);
  });
});

describe('broker metrics: a window of scrapes', () => {
  const n = RULE_SET_NAMES.jmx_exporter_example;
  const scrape = (at_ms: number, text: string) => ({ at_ms, samples: parseExposition(text).samples, error: null });

  it('rates from counters between the first and last scrape, the handlers’ idle share from their nanosecond counter, quantiles at the end', () => {
    const b = brokerFigures('http://kafka-2:7071/metrics', 'jmx_exporter_example', namesFor('jmx_exporter_example', {}), [
      scrape(
        0,
        `${n.handler_idle_ns} 0\n${n.messages_in} 1000\n${n.bytes_in} 100000\n${n.bytes_in}{topic="t"} 5\n${n.network_idle} 0.2\n${n.request_queue} 3\n`,
      ),
      { at_ms: 1000, samples: null, error: 'no answer within 500 ms' },
      scrape(
        2000,
        `${n.handler_idle_ns} 6e8\n${n.messages_in} 5000\n${n.bytes_in} 500000\n${n.network_idle} 0.4\n${n.request_queue} 9\n${n.request_queue_time}{request="Produce",quantile="0.99",} 780\n`,
      ),
    ]);
    assert.equal(b.handler_idle_pct, 30, '0.6e9 ns idle over 2 s: 30 % idle');
    assert.equal(b.handler_idle_since_start, false);
    assert.equal(b.messages_in_per_s, 2000);
    assert.equal(b.bytes_in_per_s, 200000, 'the all-topics series, not a per-topic one');
    assert.ok(Math.abs((b.network_idle_pct ?? 0) - 30) < 1e-9, 'the mean of the gauge over the scrapes');
    assert.equal(b.request_queue_max, 9);
    assert.equal(b.produce?.queue_p99_ms, 780);
    assert.equal(b.fetch, null);
    assert.deepEqual([b.scrapes, b.failed_scrapes], [2, 1]);
    // Scrape by scrape, for a fault's figure: the second's handlers 70 % busy (0.6e9 ns idle over 2 s).
    assert.deepEqual(
      b.series?.map((s) => [s.at_ms, s.handler_busy_pct, s.request_queue]),
      [
        [0, null, 3],
        [2000, 70, 9],
      ],
    );
    // Through a planned fault the brokers get a figure of their own, on the delivery figure's time axis.
    const faulted = fixtureFaultedPoint(2, 1000, 'at=2s for=2s broker=stop');
    const shifted = { ...b, series: (b.series ?? []).map((s) => ({ ...s, at_ms: Date.parse(faulted.fault?.window_start ?? '') + s.at_ms })) };
    const figs = studyFigures([{ ...faulted, broker: { brokers: [shifted], missing: [], notes: [] } }]);
    const brokers = figs['fault-brokers-1'];
    assert.ok(brokers, Object.keys(figs).join(', '));
    assert.deepEqual(brokers.data[0]?.x, [2]);
    assert.deepEqual(brokers.data[0]?.y, [70]);
    assert.equal(brokers.data[1]?.yaxis, 'y2');
    assert.equal((brokers.layout.shapes as { x0: number }[])[0]?.x0, 2, 'the fault shaded where it ran');
    assert.equal(studyFigures([faulted])['fault-brokers-1'], undefined, 'no broker figures: no such figure');
  });

  const figures = (over: Partial<BrokerFigures>): BrokerFigures => ({
    endpoint: 'http://kafka-1:7071/metrics',
    rule_set: 'strimzi',
    scrapes: 5,
    failed_scrapes: 0,
    handler_idle_pct: 90,
    handler_idle_since_start: false,
    network_idle_pct: 85,
    request_queue_max: 0,
    bytes_in_per_s: 1e5,
    bytes_out_per_s: 2e5,
    messages_in_per_s: 1000,
    under_replicated_max: 0,
    isr_shrinks: 0,
    produce: {
      queue_p50_ms: 0.5,
      queue_p99_ms: 2,
      local_p99_ms: 1,
      remote_p99_ms: 0,
      response_queue_p99_ms: 0,
      response_send_p99_ms: 0.1,
      total_p50_ms: 2,
      total_p99_ms: 8,
      throttle_p99_ms: 0,
    },
    fetch: null,
    log_flush_p99_ms: 3,
    ...over,
  });

  it('names the broker and the part that crossed its line; says the path when every broker had headroom; nothing when it cannot tell', () => {
    const busy = figures({
      endpoint: 'http://kafka-2:7071/metrics',
      handler_idle_pct: 3,
      produce: { ...(figures({}).produce as NonNullable<BrokerFigures['produce']>), queue_p99_ms: 780, total_p99_ms: 900 },
    });
    const record: BrokerMetricsRecord = { brokers: [figures({}), busy], missing: [], notes: [] };
    assert.equal(
      brokerPart(record, 'produce'),
      'broker 2 (kafka-2:7071): its request handlers were 97 % busy, produce requests waited 780 ms in its request queue (p99)',
    );
    assert.match(
      brokerPart({ brokers: [figures({}), figures({})], missing: [], notes: [] }, 'produce') ?? '',
      /^every broker had headroom .*: the time went between the clients and the brokers/,
    );
    assert.equal(brokerPart({ brokers: [figures({ scrapes: 0 })], missing: [], notes: [] }, 'produce'), null, 'no scrape answered: no part named');
    assert.equal(brokerPart(undefined, 'produce'), null);
    const produce = figures({}).produce as NonNullable<BrokerFigures['produce']>;
    assert.deepEqual(crossedParts(figures({ produce: { ...produce, remote_p99_ms: 450 }, under_replicated_max: 2 }), 'produce'), [
      'produce requests waited 450 ms for the followers (replication, remote time, p99); 2 partitions under-replicated',
    ]);
    // The point's Kafka note gains the part; a point without a Kafka limit is left as it was.
    const held = fixturePoint(4, 2000);
    assert.ok(held.status === 'ok');
    const result = withBrokerFigures(
      { ...held.result, kafka_limits: ['produce'], kafka_notes: ['Kafka held the publisher back: it accepted 1 200 of 2 000 msg/s'] },
      record,
    );
    assert.equal(result.kafka_notes[0], `Kafka held the publisher back: it accepted 1 200 of 2 000 msg/s — ${brokerPart(record, 'produce') ?? ''}`);
    assert.deepEqual(withBrokerFigures(held.result, record).kafka_notes, []);
    // As fields: the least idle broker, the longest queue; usable in a threshold.
    assert.equal(BROKER_FIELDS.broker_handler_idle_min_pct.value(record), 3);
    assert.equal(BROKER_FIELDS.broker_produce_queue_p99_ms.value(record), 780);
    assert.equal(BROKER_FIELDS.broker_messages_in_per_s.value(record), 2000);
    const checks = checkThresholds(held.result, parseThresholds('broker_handler_idle_min_pct>20', '--threshold'), undefined, record);
    assert.deepEqual(
      checks.map((c) => [c.value, c.passed]),
      [[3, false]],
    );
    assert.deepEqual(
      checkThresholds(held.result, parseThresholds('broker_handler_idle_min_pct>20', '--threshold')).map((c) => [c.value, c.passed]),
      [[null, false]],
      'no broker figures: the check fails, it is not skipped',
    );
    // Drawn against the rate, a curve per client count, only when a point carries broker figures.
    const figs = studyFigures([{ ...held, broker: record }, fixturePoint(4, 1000)]);
    assert.deepEqual(
      Object.keys(figs).filter((k) => k.startsWith('broker-')),
      ['broker-handlers-busy', 'broker-network-busy', 'broker-produce-p99', 'broker-produce-queue-p99'],
    );
    assert.deepEqual(figs['broker-handlers-busy']?.data[0]?.y, [97], 'the busiest broker, as busy; the point without figures is left out');
    assert.deepEqual(
      Object.keys(studyFigures([held])).filter((k) => k.startsWith('broker-')),
      [],
    );
  });
});

describe('broker metrics: scraping real endpoints (loopback HTTP)', function () {
  this.timeout(20000);
  const endpoints: FakePrometheus[] = [];
  const endpoint = async (...args: ConstructorParameters<typeof FakePrometheus>): Promise<FakePrometheus> => {
    const e = new FakePrometheus(...args);
    await e.start();
    endpoints.push(e);
    return e;
  };
  afterEach(async () => {
    await Promise.all(endpoints.splice(0).map((e) => e.stop()));
  });

  it('two brokers named by the two rule sets, scraped through a window: the busy one is named, the idle one is not', async () => {
    const idle = await endpoint('jmx_exporter_example', IDLE_BROKER);
    const busy = await endpoint('strimzi', BUSY_BROKER);
    const watch = new BrokerWatch([idle.url, busy.url], OPEN, {});
    await watch.start();
    await sleep(1300);
    const record = await watch.stop();
    assert.deepEqual(
      record.brokers.map((b) => b.rule_set),
      ['jmx_exporter_example', 'strimzi'],
    );
    assert.ok(
      record.brokers.every((b) => b.scrapes >= 3 && b.failed_scrapes === 0),
      JSON.stringify(record.brokers.map((b) => [b.scrapes, b.failed_scrapes])),
    );
    const [a, b] = record.brokers;
    assert.ok(a && Math.abs((a.handler_idle_pct ?? 0) - 90) < 3, `idle broker's handlers ${a?.handler_idle_pct} % idle`);
    assert.ok(b && Math.abs((b.handler_idle_pct ?? 0) - 3) < 2, `busy broker's handlers ${b?.handler_idle_pct} % idle`);
    assert.ok(Math.abs((a.messages_in_per_s ?? 0) - 1000) < 60, `messages in ${a.messages_in_per_s}/s`);
    assert.equal(b.network_idle_pct, 85, "Strimzi's network idle gauge, by its own name");
    assert.deepEqual(record.missing, []);
    assert.match(
      brokerPart(record, 'produce') ?? '',
      /^broker 2 \(127\.0\.0\.1:\d+\): its request handlers were 97 % busy, produce requests waited 780 ms in its request queue \(p99\)$/,
    );
    assert.equal(await watch.stop(), record, 'stopping twice gives the same figures');
  });

  it('a missing metric, a slow, a dead, a failing and a garbage endpoint: notes and missing series, never an error', async () => {
    const missing = await endpoint('jmx_exporter_example', IDLE_BROKER, 'missing-network');
    const slow = await endpoint('jmx_exporter_example', IDLE_BROKER, 'slow', 3000);
    const failing = await endpoint('jmx_exporter_example', IDLE_BROKER, 'http-500');
    const garbage = await endpoint('jmx_exporter_example', IDLE_BROKER, 'garbage');
    const dead = 'http://127.0.0.1:9/metrics';
    const watch = new BrokerWatch([missing.url, slow.url, failing.url, garbage.url, dead], { ...OPEN, timeoutMs: 300 }, {});
    const began = Date.now();
    await watch.start();
    const record = await watch.stop();
    assert.ok(Date.now() - began < 2500, `bounded by the timeout: ${Date.now() - began} ms`);
    assert.deepEqual(
      record.brokers.map((b) => b.scrapes),
      [2, 0, 0, 2, 0],
    );
    assert.equal(record.brokers[0]?.network_idle_pct, null);
    assert.deepEqual(record.missing, [`network_idle (${RULE_SET_NAMES.jmx_exporter_example.network_idle})`]);
    const notes = record.notes.join('\n');
    assert.match(notes, new RegExp(`${slow.url.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: 2 of 2 scrapes failed \\(no answer within 300 ms\\)`));
    assert.match(notes, /: 2 of 2 scrapes failed \(HTTP 500\)/);
    assert.match(notes, /127\.0\.0\.1:9\/metrics: 2 of 2 scrapes failed \(connect ECONNREFUSED/);
    assert.equal(record.brokers[3]?.handler_idle_pct, null, 'garbage text: no figures, no crash');
  });

  it('sends the bearer token it read, and only the token', async () => {
    const e = await endpoint('strimzi', IDLE_BROKER);
    const watch = new BrokerWatch([e.url], { ...OPEN, authorization: 'Bearer s3cret' }, {});
    await watch.start();
    await watch.stop();
    assert.ok(e.authorizations.length >= 2 && e.authorizations.every((a) => a === 'Bearer s3cret'), JSON.stringify(e.authorizations));
  });
});

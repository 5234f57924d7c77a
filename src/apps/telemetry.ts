import * as os from 'node:os';
import { monitorEventLoopDelay, performance, type EventLoopUtilization, type IntervalHistogram } from 'node:perf_hooks';
import type { AppTelemetry } from '../control/wire';
import { hostCpuTicks, hostRunQueue } from './procstats';

const RUNQUEUE_SAMPLE_MS = 250;

/**
 * What an app's own process and its host did over a measuring window: the raw numbers the runner
 * needs to tell a saturated harness from Kafka (process CPU, event-loop utilization and delay,
 * memory, host CPU busy and run queue). start() opens a window; read() closes nothing and can be
 * called more than once.
 */
export class TelemetryWindow {
  private startedAt = performance.now();
  private cpu = process.cpuUsage();
  private elu: EventLoopUtilization = performance.eventLoopUtilization();
  private host = hostCpuTicks();
  private readonly delay: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  private runQueue: number[] = [];
  private sampler: NodeJS.Timeout | undefined;

  constructor() {
    this.delay.enable();
    this.start();
  }

  start(): void {
    this.startedAt = performance.now();
    this.cpu = process.cpuUsage();
    this.elu = performance.eventLoopUtilization();
    this.host = hostCpuTicks();
    this.delay.reset();
    this.runQueue = [];
    if (this.sampler) clearInterval(this.sampler);
    // A run queue read once is noise; the mean over the window says whether the host was oversubscribed.
    this.sampler = setInterval(() => {
      const q = hostRunQueue();
      if (q !== null && this.runQueue.length < 100_000) this.runQueue.push(q);
    }, RUNQUEUE_SAMPLE_MS);
    this.sampler.unref();
  }

  read(): AppTelemetry {
    const windowS = Math.max((performance.now() - this.startedAt) / 1000, 1e-9);
    const cpu = process.cpuUsage(this.cpu);
    const elu = performance.eventLoopUtilization(this.elu);
    const [busy, total] = hostCpuTicks();
    const hostTotal = total - this.host[1];
    return {
      window_s: windowS,
      cpu_pct: ((cpu.user + cpu.system) / 1e6 / windowS) * 100,
      elu: elu.utilization,
      loop_delay_p99_ms: this.delay.count > 0 ? this.delay.percentile(99) / 1e6 : 0,
      rss_bytes: process.memoryUsage().rss,
      host_cpu_busy_pct: hostTotal > 0 ? ((busy - this.host[0]) / hostTotal) * 100 : null,
      host_runqueue: this.runQueue.length ? this.runQueue.reduce((a, b) => a + b, 0) / this.runQueue.length : null,
      host_cpus: os.cpus().length,
      host: os.hostname(),
    };
  }

  close(): void {
    if (this.sampler) clearInterval(this.sampler);
    this.delay.disable();
  }
}

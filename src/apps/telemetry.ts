import * as os from 'node:os';
import { monitorEventLoopDelay, performance, type EventLoopUtilization, type IntervalHistogram } from 'node:perf_hooks';
import type { AppTelemetry, LoopStall, StallCause } from '../control/wire';
import { hostCpuTicks, hostRunQueue, schedTimes, type HostCpuTicks } from './procstats';

/**
 * How often the sampler looks at the clock, the scheduler and the run queue, ms: four wakeups a
 * second cost an idle app no more than the run-queue sampling alone did (10 a second cost it
 * 2 ms of CPU a second more), and stalls worth naming are longer than that.
 */
export const STALL_SAMPLE_MS = 250;
/** Gaps shorter than this beyond the sampler's period are not stalls worth reporting, ms. */
export const STALL_FLOOR_MS = 200;
/** Stalls kept per window (the longest). */
const STALLS_KEPT = 5;

/** What the scheduler and the process's own CPU clock saw over one gap, ms. */
export interface GapObservation {
  gapMs: number;
  runMs: number;
  /** null without schedstat. */
  waitMs: number | null;
  /** Process CPU over the gap (all threads), ms: the fallback when schedstat is absent. */
  cpuMs: number;
}

/**
 * Why the loop stood still for a gap. With the scheduler's view: it ran for most of it (busy),
 * it waited for a CPU for most of it (starved), or neither (frozen: stopped, or the machine
 * paused). Without it, CPU time tells busy from the rest, and the host's run queue above its cores
 * tells starved from frozen.
 */
export function classifyGap(g: GapObservation, hostOversubscribed: boolean): StallCause {
  if (g.waitMs !== null) {
    if (g.runMs + g.waitMs < g.gapMs / 2) return 'frozen';
    return g.waitMs > g.runMs ? 'starved' : 'busy';
  }
  if (g.cpuMs >= g.gapMs / 2) return 'busy';
  return hostOversubscribed ? 'starved' : 'frozen';
}

/**
 * What an app's own process and its host did over a measuring window: the raw numbers the runner
 * needs to tell a saturated harness from a starved or frozen one and from Kafka (process CPU,
 * event-loop utilization, delay and stalls, time waiting for a CPU, host CPU busy, steal and run
 * queue). start() opens a window; read() closes nothing and can be called more than once.
 */
export class TelemetryWindow {
  private startedAt = performance.now();
  private cpu = process.cpuUsage();
  private elu: EventLoopUtilization = performance.eventLoopUtilization();
  private host: HostCpuTicks = hostCpuTicks();
  private sched = schedTimes();
  private readonly delay: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  private runQueue: number[] = [];
  private stalls: LoopStall[] = [];
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
    this.sched = schedTimes();
    this.delay.reset();
    this.runQueue = [];
    this.stalls = [];
    if (this.sampler) clearInterval(this.sampler);
    // Each tick notes the wall clock, the scheduler's view and the CPU clock; a tick that comes
    // late is a stall, and those three say whether the app was working, starved or stopped.
    let lastAt = performance.now();
    let lastSched = this.sched;
    let lastCpu = process.cpuUsage();
    this.sampler = setInterval(() => {
      const now = performance.now();
      const sched = schedTimes();
      const cpu = process.cpuUsage();
      // A run queue read once is noise; the mean over the window says whether the host was oversubscribed.
      const q = hostRunQueue();
      if (q !== null && this.runQueue.length < 100_000) this.runQueue.push(q);
      const lateMs = now - lastAt - STALL_SAMPLE_MS;
      if (lateMs >= STALL_FLOOR_MS) {
        const gap: GapObservation = {
          gapMs: now - lastAt,
          runMs: sched && lastSched ? (sched.run_ns - lastSched.run_ns) / 1e6 : (cpu.user - lastCpu.user) / 1000,
          waitMs: sched && lastSched ? (sched.wait_ns - lastSched.wait_ns) / 1e6 : null,
          cpuMs: (cpu.user + cpu.system - lastCpu.user - lastCpu.system) / 1000,
        };
        this.keepStall({
          at_ms: Date.now() - gap.gapMs,
          ms: lateMs,
          cause: classifyGap(gap, q !== null && q > os.cpus().length),
          run_ms: gap.runMs,
          wait_ms: gap.waitMs,
        });
      }
      lastAt = now;
      lastSched = sched;
      lastCpu = cpu;
    }, STALL_SAMPLE_MS);
    this.sampler.unref();
  }

  private keepStall(stall: LoopStall): void {
    this.stalls.push(stall);
    this.stalls.sort((a, b) => b.ms - a.ms);
    this.stalls.length = Math.min(this.stalls.length, STALLS_KEPT);
  }

  read(): AppTelemetry {
    const windowMs = Math.max(performance.now() - this.startedAt, 1e-6);
    const windowS = windowMs / 1000;
    const cpu = process.cpuUsage(this.cpu);
    const elu = performance.eventLoopUtilization(this.elu);
    const host = hostCpuTicks();
    const hostTotal = host.total - this.host.total;
    const sched = schedTimes();
    const delayOf = (ns: number): number => (this.delay.count > 0 && Number.isFinite(ns) ? ns / 1e6 : 0);
    return {
      window_s: windowS,
      cpu_pct: ((cpu.user + cpu.system) / 1e6 / windowS) * 100,
      elu: elu.utilization,
      loop_delay_p99_ms: delayOf(this.delay.percentile(99)),
      loop_delay_max_ms: delayOf(this.delay.max),
      stalls: [...this.stalls],
      run_wait_pct: sched && this.sched ? ((sched.wait_ns - this.sched.wait_ns) / 1e6 / windowMs) * 100 : null,
      rss_bytes: process.memoryUsage().rss,
      host_cpu_busy_pct: hostTotal > 0 ? ((host.busy - this.host.busy) / hostTotal) * 100 : null,
      host_steal_pct: hostTotal > 0 ? ((host.steal - this.host.steal) / hostTotal) * 100 : null,
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

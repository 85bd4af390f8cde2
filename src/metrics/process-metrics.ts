import { readdirSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Counter, Gauge, type Registry } from 'prom-client';

/** The event loop is sampled every this many milliseconds (prom-client's default). */
const EVENT_LOOP_RESOLUTION_MS = 10;
const NS_PER_SECOND = 1e9;
const MICROS_PER_SECOND = 1e6;

/**
 * The usual Node.js process metrics, under prom-client's default names (so
 * that Node.js dashboards work), read only when scraped. A subset of
 * `collectDefaultMetrics()`: its `nodejs_gc_duration_seconds` observes every
 * garbage collection, which cost 20% of an allocation-heavy loop's throughput
 * (docs/observability.md), so it is left out.
 */
export function registerProcessMetrics(registry: Registry): { stop(): void } {
  const registers = [registry];
  // From zero, so that the first scrape reports the CPU time since the process started.
  let lastCpu: NodeJS.CpuUsage = { user: 0, system: 0 };
  const cpuUser = new Counter({
    name: 'process_cpu_user_seconds_total',
    help: 'Total user CPU time spent in seconds.',
    registers,
  });
  const cpuSystem = new Counter({
    name: 'process_cpu_system_seconds_total',
    help: 'Total system CPU time spent in seconds.',
    registers,
  });
  new Counter({
    name: 'process_cpu_seconds_total',
    help: 'Total user and system CPU time spent in seconds.',
    registers,
    // One collect moves all three, from the same reading.
    collect() {
      const cpu = process.cpuUsage();
      const userSeconds = (cpu.user - lastCpu.user) / MICROS_PER_SECOND;
      const systemSeconds = (cpu.system - lastCpu.system) / MICROS_PER_SECOND;
      lastCpu = cpu;
      cpuUser.inc(userSeconds);
      cpuSystem.inc(systemSeconds);
      this.inc(userSeconds + systemSeconds);
    },
  });
  new Gauge({
    name: 'process_start_time_seconds',
    help: 'Start time of the process since unix epoch in seconds.',
    registers,
  }).set(Math.round(Date.now() / 1000 - process.uptime()));

  const memoryGauge = (name: string, help: string, read: (usage: NodeJS.MemoryUsage) => number) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        this.set(read(process.memoryUsage()));
      },
    });
  memoryGauge('process_resident_memory_bytes', 'Resident memory size in bytes.', (usage) => usage.rss);
  memoryGauge('nodejs_heap_size_total_bytes', 'Process heap size from Node.js in bytes.', (u) => u.heapTotal);
  memoryGauge(
    'nodejs_heap_size_used_bytes',
    'Process heap size used from Node.js in bytes.',
    (u) => u.heapUsed,
  );
  memoryGauge('nodejs_external_memory_bytes', 'Node.js external memory size in bytes.', (u) => u.external);

  if (process.platform === 'linux') {
    new Gauge({
      name: 'process_open_fds',
      help: 'Number of open file descriptors.',
      registers,
      collect() {
        // Less the descriptor readdirSync itself opened.
        this.set(readdirSync('/proc/self/fd').length - 1);
      },
    });
  }
  new Gauge({
    name: 'nodejs_active_resources_total',
    help: 'Number of active resources that are currently keeping the event loop alive.',
    registers,
    collect() {
      this.set(process.getActiveResourcesInfo().length);
    },
  });

  const [major, minor, patch] = process.versions.node.split('.');
  new Gauge({
    name: 'nodejs_version_info',
    help: 'Node.js version info.',
    labelNames: ['version', 'major', 'minor', 'patch'],
    registers,
  }).set({ version: process.version, major: major ?? '', minor: minor ?? '', patch: patch ?? '' }, 1);

  // The delay of the event loop since the last scrape, from a histogram Node keeps natively.
  const delay = monitorEventLoopDelay({ resolution: EVENT_LOOP_RESOLUTION_MS });
  delay.enable();
  const lag = (suffix: string, help: string) =>
    new Gauge({ name: `nodejs_eventloop_lag_${suffix}seconds`, help, registers });
  const gauges = {
    min: lag('min_', 'The minimum recorded event loop delay.'),
    max: lag('max_', 'The maximum recorded event loop delay.'),
    mean: lag('mean_', 'The mean of the recorded event loop delays.'),
    stddev: lag('stddev_', 'The standard deviation of the recorded event loop delays.'),
    p50: lag('p50_', 'The 50th percentile of the recorded event loop delays.'),
    p90: lag('p90_', 'The 90th percentile of the recorded event loop delays.'),
    p99: lag('p99_', 'The 99th percentile of the recorded event loop delays.'),
  };
  new Gauge({
    name: 'nodejs_eventloop_lag_seconds',
    help: 'Lag of event loop in seconds (the mean since the last scrape).',
    registers,
    collect() {
      const seconds = (nanoseconds: number) =>
        Number.isFinite(nanoseconds) ? nanoseconds / NS_PER_SECOND : 0;
      gauges.min.set(seconds(delay.min));
      gauges.max.set(seconds(delay.max));
      gauges.mean.set(seconds(delay.mean));
      gauges.stddev.set(seconds(delay.stddev));
      gauges.p50.set(seconds(delay.percentile(50)));
      gauges.p90.set(seconds(delay.percentile(90)));
      gauges.p99.set(seconds(delay.percentile(99)));
      this.set(seconds(delay.mean));
      delay.reset();
    },
  });
  return { stop: () => delay.disable() };
}

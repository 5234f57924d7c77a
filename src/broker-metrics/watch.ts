import { fetchExposition, type EndpointAccess } from './endpoint';
import { parseExposition } from './exposition';
import { brokerFigures, missingSeries, type BrokerMetricsRecord, type Scrape } from './figures';
import { detectRuleSet, namesFor, type RuleSet, type SeriesId } from './names';

/** Scrapes between the window's first and last, ms: once a second, as a dashboard would. */
export const SCRAPE_EVERY_MS = 1000;

/** Scrapes a point window's broker endpoints: at its start, every second, at its end. */
export class BrokerWatch {
  private readonly scrapes: Scrape[][];
  private readonly ruleSets: (RuleSet | null)[];
  private timer: NodeJS.Timeout | null = null;
  /** Each endpoint's scrape still running: a slow endpoint is not asked again until it answers. */
  private readonly inFlight: (Promise<void> | null)[];
  private stopped: Promise<BrokerMetricsRecord> | null = null;

  constructor(
    private readonly endpoints: readonly string[],
    private readonly access: EndpointAccess,
    private readonly overrides: Partial<Record<SeriesId, string>>,
    private readonly fetch: (url: string, access: EndpointAccess) => Promise<string> = fetchExposition,
  ) {
    this.scrapes = endpoints.map(() => []);
    this.ruleSets = endpoints.map(() => null);
    this.inFlight = endpoints.map(() => null);
  }

  /** The first scrape of every endpoint, then one a second until stop(). */
  async start(): Promise<void> {
    await this.scrapeAll();
    this.timer = setInterval(() => void this.scrapeAll(), SCRAPE_EVERY_MS);
    this.timer.unref();
  }

  /** The last scrape, after the ones still running; then the figures per broker. Once: a second call gets the same. */
  stop(): Promise<BrokerMetricsRecord> {
    this.stopped ??= this.finish();
    return this.stopped;
  }

  private async finish(): Promise<BrokerMetricsRecord> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await Promise.allSettled(this.inFlight.filter((p): p is Promise<void> => p !== null));
    await this.scrapeAll();
    const names = this.endpoints.map((_, i) => namesFor(this.ruleSets[i] ?? 'unknown', this.overrides));
    const notes = this.endpoints.flatMap((url, i) => {
      const failed = (this.scrapes[i] ?? []).filter((s) => s.error !== null);
      return failed.length ? [`${url}: ${failed.length} of ${this.scrapes[i]?.length ?? 0} scrapes failed (${failed[failed.length - 1]?.error ?? ''})`] : [];
    });
    return {
      brokers: this.endpoints.map((url, i) => brokerFigures(url, this.ruleSets[i] ?? 'unknown', names[i] as Record<SeriesId, string>, this.scrapes[i] ?? [])),
      missing: this.scrapes.some((s) => s.some((x) => x.samples !== null)) ? missingSeries(names, this.scrapes) : [],
      notes,
    };
  }

  private async scrapeAll(): Promise<void> {
    await Promise.all(
      this.endpoints.map((url, i) => {
        const running = this.inFlight[i];
        if (running) return running;
        const scrape = this.scrapeOne(url, i).finally(() => (this.inFlight[i] = null));
        this.inFlight[i] = scrape;
        return scrape;
      }),
    );
  }

  private async scrapeOne(url: string, i: number): Promise<void> {
    const at = Date.now();
    try {
      const { samples } = parseExposition(await this.fetch(url, this.access));
      const ruleSet = this.ruleSets[i] ?? detectRuleSet(samples);
      this.ruleSets[i] = ruleSet;
      // Only the series read are kept: a broker serves thousands of samples a scrape.
      const wanted = new Set(Object.values(namesFor(ruleSet, this.overrides)));
      this.scrapes[i]?.push({ at_ms: at, samples: samples.filter((s) => wanted.has(s.name)), error: null });
    } catch (err) {
      this.scrapes[i]?.push({ at_ms: at, samples: null, error: (err as Error).message });
    }
  }
}

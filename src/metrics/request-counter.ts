import { metricHeader, quoteLabelValue } from './text-format.ts';

const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx', 'other'] as const;

/**
 * MCP requests by method and status class: a counter per request, kept as
 * six numbers per method (prom-client's Counter validates and hashes its
 * labels on every increment; see hot-path-histogram.ts for why that matters
 * here). Rendered in the text format next to the registry's metrics.
 */
export class RequestCounter {
  readonly #byMethod = new Map<string, number[]>();

  readonly name: string;
  readonly help: string;

  constructor(name: string, help: string) {
    this.name = name;
    this.help = help;
  }

  /** Counts one request; a status outside 100-599 counts as `other`. */
  inc(method: string, status: number): void {
    let counts = this.#byMethod.get(method);
    if (counts === undefined) {
      counts = new Array<number>(STATUS_CLASSES.length).fill(0);
      this.#byMethod.set(method, counts);
    }
    const hundreds = Math.floor(status / 100);
    const index = hundreds >= 1 && hundreds <= 5 ? hundreds - 1 : STATUS_CLASSES.length - 1;
    counts[index] = (counts[index] ?? 0) + 1;
  }

  /** One line per method and status class seen. */
  render(): string {
    let text = metricHeader(this.name, this.help, 'counter');
    for (const [method, counts] of this.#byMethod) {
      counts.forEach((count, index) => {
        if (count === 0) return;
        const labels = `method=${quoteLabelValue(method)},status_class="${STATUS_CLASSES[index] ?? 'other'}"`;
        text += `${this.name}{${labels}} ${count}\n`;
      });
    }
    return text;
  }
}

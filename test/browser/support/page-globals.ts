/**
 * The few browser globals the in-page probes use. The project compiles
 * without the DOM library (its code runs on Node), so functions passed to
 * `page.evaluate` reach the page's globals as `globalThis as unknown as
 * PageGlobals`, written inside the function: Playwright sends the function's
 * source to the page, so it cannot close over anything of ours.
 */
export interface PageElement {
  readonly tagName: string;
  readonly id: string;
  readonly textContent: string | null;
  getBoundingClientRect(): { top: number; left: number };
}

/** An element that loads something: `href` and `src` read back as absolute URLs. */
export interface ResourceElement extends PageElement {
  readonly href?: string;
  readonly src?: string;
  readonly data?: string;
}

/** A `layout-shift` performance entry (Layout Instability API). */
export interface LayoutShiftEntry {
  readonly value?: number;
  readonly hadRecentInput?: boolean;
}

export interface PageGlobals {
  readonly document: {
    readonly activeElement: PageElement | null;
    readonly body: PageElement;
    readonly documentElement: { readonly scrollWidth: number; readonly clientWidth: number };
    querySelectorAll(selector: string): Iterable<ResourceElement>;
  };
  // Properties, not methods: window functions work unbound (`this` defaults to the window).
  readonly getComputedStyle: (element: PageElement) => {
    readonly outlineStyle: string;
    readonly outlineWidth: string;
  };
  readonly scrollX: number;
  readonly scrollY: number;
  readonly requestAnimationFrame: (callback: () => void) => number;
  PerformanceObserver: new (callback: (list: { getEntries(): LayoutShiftEntry[] }) => void) => {
    observe(options: { type: string; buffered: boolean }): void;
    takeRecords(): LayoutShiftEntry[];
    disconnect(): void;
  };
  axe: {
    run(
      context: unknown,
      options: unknown,
    ): Promise<{
      violations: Array<{
        id: string;
        impact: string | null;
        help: string;
        nodes: Array<{ target: unknown }>;
      }>;
      passes: Array<{ id: string }>;
    }>;
  };
}

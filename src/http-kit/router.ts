import type { IncomingMessage, ServerResponse } from 'node:http';

export type RouteHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  params: Readonly<Record<string, string>>,
) => Promise<void>;

export interface Route {
  readonly methods: readonly string[];
  /** A path with `:name` segments, e.g. `/interaction/:uid/abort`. */
  readonly path: string;
  readonly handle: RouteHandler;
}

interface CompiledRoute {
  readonly route: Route;
  readonly pattern: RegExp;
  readonly names: readonly string[];
}

export interface RouteMatch {
  readonly route: Route;
  readonly params: Readonly<Record<string, string>>;
  /** False when the path matched but the method did not (405). */
  readonly methodAllowed: boolean;
}

/** A tiny exact-path route table; first registered match wins. */
export class Router {
  readonly #routes: CompiledRoute[] = [];

  add(route: Route): void {
    const names: string[] = [];
    const source = route.path
      .split('/')
      .map((segment) => {
        if (!segment.startsWith(':')) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        names.push(segment.slice(1));
        return '([^/]+)';
      })
      .join('/');
    this.#routes.push({ route, pattern: new RegExp(`^${source}$`), names });
  }

  match(method: string, pathname: string): RouteMatch | undefined {
    let pathOnly: RouteMatch | undefined;
    for (const { route, pattern, names } of this.#routes) {
      const found = pattern.exec(pathname);
      if (found === null) continue;
      const params: Record<string, string> = {};
      names.forEach((name, index) => {
        params[name] = safeDecode(found[index + 1] ?? '');
      });
      if (route.methods.includes(method)) return { route, params, methodAllowed: true };
      pathOnly ??= { route, params, methodAllowed: false };
    }
    return pathOnly;
  }
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * Which instance served each step of a sign-in, read from the instances' own
 * request logs (`http.request` lines): the soak clients tag every request of a
 * sign-in with an X-Request-Id of their own, which the proxy keeps and logs.
 */
import { linesByInstance, type LoadBalancedDeployment } from '../load-balanced-deployment.ts';

export interface SignInHops {
  /** Sign-ins whose three steps were all found in the logs. */
  readonly traced: number;
  /** …served by two different instances at least. */
  readonly acrossTwoOrMore: number;
  /** …with /authorize, the IdP callback and /token each on a different instance. */
  readonly acrossThree: number;
}

type Step = 'authorize' | 'callback' | 'token';

const stepOf = (method: unknown, path: string): Step | undefined => {
  if (method === 'GET' && path.startsWith('/auth?')) return 'authorize';
  if (method === 'GET' && path.startsWith('/interaction/identity/callback')) return 'callback';
  if (method === 'POST' && path === '/token') return 'token';
  return undefined;
};

/** `tags`: the X-Request-Id prefix of each sign-in. */
export function signInHops(deployment: LoadBalancedDeployment, tags: readonly string[]): SignInHops {
  const wanted = new Set(tags);
  const served = new Map<string, Map<Step, string>>();
  for (const { instance, line } of linesByInstance(deployment)) {
    const requestId = line['requestId'];
    if (line['event'] !== 'http.request' || typeof requestId !== 'string') continue;
    const step = stepOf(line['method'], String(line['path']));
    const tag = /^signin-\d+-/.exec(requestId)?.[0];
    if (step === undefined || tag === undefined || !wanted.has(tag)) continue;
    const steps = served.get(tag) ?? new Map<Step, string>();
    // A sign-in's first authorize and its token exchange are the ones that count.
    if (!steps.has(step)) steps.set(step, instance);
    served.set(tag, steps);
  }
  let traced = 0;
  let acrossTwoOrMore = 0;
  let acrossThree = 0;
  for (const steps of served.values()) {
    if (steps.size < 3) continue;
    traced += 1;
    const instances = new Set(steps.values()).size;
    if (instances >= 2) acrossTwoOrMore += 1;
    if (instances === 3) acrossThree += 1;
  }
  return { traced, acrossTwoOrMore, acrossThree };
}

/**
 * Bytes of Redis memory per client registration, per sign-in (grant, tokens,
 * sealed IdP tokens, and what the login leaves behind) and per refresh, each
 * both ways: the server's `used_memory` before and after, divided by the count
 * (what the operator pays, allocator overhead included), and `MEMORY USAGE` of
 * every key by family (what each record costs, and how long it stays).
 */
import { familyDelta, usageByFamily, type FamilyUsage } from './scale-key-families.ts';
import { inParallel, type ScaleEnvironment, type SignedIn } from './scale-environment.ts';

export interface MemoryStep {
  readonly count: number;
  readonly usedMemoryDeltaBytes: number;
  /** used_memory delta ÷ count. */
  readonly bytesEach: number;
  /** Keys and MEMORY USAGE added per family over the whole step (TTLs as seen right after). */
  readonly families: readonly FamilyUsage[];
}

export interface GrantSetGrowth {
  /** Members (store keys of the grant's codes and tokens) right after a sign-in. */
  readonly membersAfterSignIn: number;
  readonly bytesAfterSignIn: number;
  readonly membersAfterRefreshes: number;
  readonly bytesAfterRefreshes: number;
  /** MEMORY USAGE growth per member added. */
  readonly bytesPerMember: number;
}

export interface MemoryFigures {
  readonly registrations: MemoryStep;
  readonly signIns: MemoryStep;
  readonly refreshes: MemoryStep & { readonly grants: number; readonly refreshesPerGrant: number };
  readonly grantSet: GrantSetGrowth;
}

export interface MemoryPlan {
  readonly registrations: number;
  readonly signIns: number;
  readonly refreshedGrants: number;
  readonly refreshesPerGrant: number;
  readonly concurrency: number;
}

/** Runs the three steps on a fresh store; returns the figures and the signed-in clients for later phases. */
export async function measureMemory(
  environment: ScaleEnvironment,
  plan: MemoryPlan,
  log: (line: string) => void,
): Promise<{ figures: MemoryFigures; signedIn: SignedIn[] }> {
  const step = async <T>(count: number, work: () => Promise<T>): Promise<{ step: MemoryStep; result: T }> => {
    const usedBefore = await environment.redis.usedMemoryBytes();
    const keysBefore = usageByFamily(await environment.redis.scanKeys());
    const result = await work();
    const usedAfter = await environment.redis.usedMemoryBytes();
    const keysAfter = usageByFamily(await environment.redis.scanKeys());
    const usedMemoryDeltaBytes = usedAfter - usedBefore;
    return {
      step: {
        count,
        usedMemoryDeltaBytes,
        bytesEach: usedMemoryDeltaBytes / count,
        families: familyDelta(keysBefore, keysAfter),
      },
      result,
    };
  };

  log(`memory: ${plan.registrations} registrations`);
  const registrations = await step(plan.registrations, () =>
    inParallel(plan.registrations, plan.concurrency, () => environment.register()),
  );
  log(`memory: ${plan.signIns} sign-ins`);
  const signIns = await step(plan.signIns, () =>
    inParallel(plan.signIns, plan.concurrency, (index) => environment.signIn(`user-${index}`)),
  );
  const signedIn = signIns.result;
  const setsAfterSignIn = await grantSets(environment);

  log(`memory: ${plan.refreshesPerGrant} refreshes of ${plan.refreshedGrants} grants`);
  const refreshed = signedIn.slice(0, plan.refreshedGrants);
  const refreshCount = plan.refreshedGrants * plan.refreshesPerGrant;
  const refreshes = await step(refreshCount, () =>
    inParallel(plan.refreshedGrants, plan.concurrency, async (index) => {
      const client = refreshed[index];
      if (client === undefined) return;
      for (let round = 0; round < plan.refreshesPerGrant; round += 1) await environment.refresh(client);
    }),
  );
  const setsAfterRefreshes = await grantSets(environment);
  return {
    figures: {
      registrations: registrations.step,
      signIns: signIns.step,
      refreshes: {
        ...refreshes.step,
        grants: plan.refreshedGrants,
        refreshesPerGrant: plan.refreshesPerGrant,
      },
      grantSet: grantSetGrowth(setsAfterSignIn, setsAfterRefreshes),
    },
    signedIn,
  };
}

interface GrantSetReading {
  readonly members: number;
  readonly bytes: number;
}

async function grantSets(environment: ScaleEnvironment): Promise<Map<string, GrantSetReading>> {
  const sets = new Map<string, GrantSetReading>();
  for (const key of await environment.redis.scanKeys()) {
    if (!key.key.startsWith('grant:')) continue;
    sets.set(key.key, { members: await environment.redis.setSize(key.key), bytes: key.bytes });
  }
  return sets;
}

/** The sets that grew between the two readings: their mean size before and after, and the slope. */
function grantSetGrowth(
  before: ReadonlyMap<string, GrantSetReading>,
  after: ReadonlyMap<string, GrantSetReading>,
): GrantSetGrowth {
  const grown = [...after].flatMap(([key, now]) => {
    const was = before.get(key);
    return was !== undefined && now.members > was.members ? [{ was, now }] : [];
  });
  const mean = (values: number[]) =>
    values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);
  const membersAfterSignIn = mean(grown.map(({ was }) => was.members));
  const bytesAfterSignIn = mean(grown.map(({ was }) => was.bytes));
  const membersAfterRefreshes = mean(grown.map(({ now }) => now.members));
  const bytesAfterRefreshes = mean(grown.map(({ now }) => now.bytes));
  return {
    membersAfterSignIn,
    bytesAfterSignIn,
    membersAfterRefreshes,
    bytesAfterRefreshes,
    bytesPerMember:
      (bytesAfterRefreshes - bytesAfterSignIn) / Math.max(1, membersAfterRefreshes - membersAfterSignIn),
  };
}

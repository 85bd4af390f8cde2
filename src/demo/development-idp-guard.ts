/** Why the development identity provider would not start. */
export type DevelopmentIdpRefusal = 'production' | 'not_local_insecure';

/** The two settings that decide whether the development identity provider may run. */
export interface DevelopmentIdpEnvironment {
  /** NODE_ENV as configured (Config.nodeEnv). */
  readonly nodeEnv: string | undefined;
  /** LOCAL_INSECURE as configured (Config.localInsecure); unset reads as false. */
  readonly localInsecure: boolean;
}

const MESSAGES: Readonly<Record<DevelopmentIdpRefusal, string>> = {
  production:
    'The development identity provider refuses to start because NODE_ENV=production: it signs in anyone who types a user name. ' +
    'In production, configure a real identity provider with IDENTITY_SERVER_URL; run the demo without NODE_ENV=production.',
  not_local_insecure:
    'The development identity provider refuses to start because LOCAL_INSECURE is not true: it signs in anyone who types a user name, ' +
    'so it runs only for local development. `npm run demo` sets LOCAL_INSECURE=true unless you set it to something else; unset LOCAL_INSECURE or set it to true.',
};

/**
 * Thrown before the development identity provider listens when its
 * environment looks like anything but a developer's own machine.
 */
export class DevelopmentIdpRefusedError extends Error {
  readonly code = 'DEVELOPMENT_IDP_REFUSED';
  readonly reason: DevelopmentIdpRefusal;

  constructor(reason: DevelopmentIdpRefusal) {
    super(MESSAGES[reason]);
    this.name = 'DevelopmentIdpRefusedError';
    this.reason = reason;
  }
}

/**
 * A login page that accepts any user name must never face real users, so the
 * check is an allow-list: LOCAL_INSECURE=true (plain http, no forwarded headers
 * trusted: a laptop) and not NODE_ENV=production.
 * @throws DevelopmentIdpRefusedError
 */
export function assertDevelopmentIdpAllowed(environment: DevelopmentIdpEnvironment): void {
  if (environment.nodeEnv?.trim().toLowerCase() === 'production') {
    throw new DevelopmentIdpRefusedError('production');
  }
  if (!environment.localInsecure) throw new DevelopmentIdpRefusedError('not_local_insecure');
}

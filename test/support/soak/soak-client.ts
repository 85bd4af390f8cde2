/**
 * One MCP client application of a soak: the official MCP SDK client signs in
 * (discovery, registration, browser login, code exchange) through the load
 * balancer, then calls tools in a loop until told to stop. It refreshes its
 * token by itself when the proxy answers 401, and resumes cut streams with
 * Last-Event-ID. Everything it sends goes through one WireRecorder.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { authorizeWithSdk, TestOAuthClient } from '../sdk-oauth-client.ts';
import { UserAgent } from '../user-agent.ts';
import type { WireRecorder } from './wire-recorder.ts';

/** A call unanswered by then is a hang (counted), not a wait. */
const CALL_TIMEOUT_MS = 15_000;
/**
 * After a failure the client tries again this soon, whatever Retry-After said,
 * so that the recovery time measures the proxy rather than the client's backoff.
 */
export const RETRY_AFTER_FAILURE_MS = 250;

/** A request the client made and whether it succeeded, for recovery times. */
export interface Attempt {
  readonly startedAtMs: number;
  readonly endedAtMs: number;
  readonly ok: boolean;
  /** Why it failed (`http 503`, `timeout`, …). */
  readonly failure?: string;
}

/** Tags every request of one sign-in with X-Request-Id `signin-<n>-<step>`, so the instances' logs tell who served it. */
class TaggedUserAgent extends UserAgent {
  readonly #tag: () => Record<string, string>;
  readonly #recorder: WireRecorder;
  readonly #origin: string;

  constructor(recorder: WireRecorder, baseUrl: string, tag: () => Record<string, string>) {
    super();
    this.#recorder = recorder;
    this.#origin = new URL(baseUrl).origin;
    this.#tag = tag;
  }

  override async request(url: string | URL, init: RequestInit = {}): Promise<Response> {
    const target = new URL(url);
    if (target.origin !== this.#origin) return await super.request(url, init);
    const headers = new Headers(init.headers);
    for (const [name, value] of Object.entries(this.#tag())) headers.set(name, value);
    const response = await super.request(url, { ...init, headers });
    await this.#recorder.record(response, `${init.method ?? 'GET'} ${target.pathname}`);
    return response;
  }
}

/** Counts a new authorization the SDK starts after the first sign-in: a re-login. */
class SoakOAuthClient extends TestOAuthClient {
  signedIn = false;
  relogins = 0;

  override redirectToAuthorization(url: URL): void {
    if (this.signedIn) this.relogins += 1;
    super.redirectToAuthorization(url);
  }
}

export class SoakClient {
  readonly index: number;
  readonly attempts: Attempt[] = [];
  /** Failures by kind (`http 503`, `timeout`, …). */
  readonly failures = new Map<string, number>();
  readonly #oauth = new SoakOAuthClient();
  readonly #recorder: WireRecorder;
  readonly #mcpUrl: string;
  #signInStep = 0;
  #signingIn = false;
  #client: Client | undefined;

  constructor(index: number, mcpUrl: string, recorder: WireRecorder) {
    this.index = index;
    this.#mcpUrl = mcpUrl;
    this.#recorder = recorder;
  }

  get relogins(): number {
    return this.#oauth.relogins;
  }

  get refreshToken(): string | undefined {
    return this.#oauth.tokens()?.refresh_token;
  }

  get clientId(): string | undefined {
    return this.#oauth.clientInformation()?.client_id;
  }

  /** The X-Request-Id prefix of this client's sign-in requests. */
  get signInTag(): string {
    return `signin-${this.index}-`;
  }

  async signIn(): Promise<void> {
    this.#signingIn = true;
    try {
      const agent = new TaggedUserAgent(this.#recorder, this.#mcpUrl, () => this.#tag());
      await authorizeWithSdk(
        this.#mcpUrl,
        this.#oauth,
        agent,
        { username: `user${this.index}` },
        this.#fetch,
      );
      this.#oauth.signedIn = true;
    } finally {
      this.#signingIn = false;
    }
  }

  /** Calls tools until `stop` aborts, pausing `thinkMs` after each success. */
  async run(stop: AbortSignal, thinkMs: number): Promise<void> {
    for (let call = 0; !stop.aborted; call += 1) {
      const ok = await this.callOnce(call);
      await sleep(ok ? thinkMs : RETRY_AFTER_FAILURE_MS, undefined, { signal: stop }).catch(() => undefined);
    }
  }

  /** One tool call (connecting first when needed); true when it succeeded. */
  async callOnce(call = 0): Promise<boolean> {
    const startedAtMs = Date.now();
    let ok = false;
    let failure: string | undefined;
    try {
      const client = this.#client ?? (await this.#connect());
      const result = (await client.callTool(toolFor(this.index, call), undefined, {
        timeout: CALL_TIMEOUT_MS,
      })) as CallToolResult;
      if (result.isError === true) throw new Error(`tool error: ${JSON.stringify(result.content)}`);
      ok = true;
    } catch (error) {
      failure = this.#fail(error);
    }
    this.attempts.push({
      startedAtMs,
      endedAtMs: Date.now(),
      ok,
      ...(failure === undefined ? {} : { failure }),
    });
    return ok;
  }

  /** Keeps tokens got outside the SDK (a refresh made by the soak itself), as the SDK would. */
  keepTokens(tokens: OAuthTokens): void {
    const issuer = (this.#oauth.tokens() as { issuer?: string } | undefined)?.issuer;
    this.#oauth.saveTokens({ ...tokens, ...(issuer === undefined ? {} : { issuer }) });
  }

  async close(): Promise<void> {
    await this.#client?.close().catch(() => undefined);
  }

  /** Every request through the recorder; sign-in requests tagged. */
  readonly #fetch = this.#recordingFetch();

  #recordingFetch(): ReturnType<WireRecorder['fetch']> {
    return (url, init) => this.#recorder.fetch(() => this.#tag())(url, init);
  }

  #tag(): Record<string, string> {
    if (!this.#signingIn) return {};
    this.#signInStep += 1;
    return { 'x-request-id': `${this.signInTag}${this.#signInStep}` };
  }

  async #connect(): Promise<Client> {
    const client = new Client({ name: `soak-${this.index}`, version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(this.#mcpUrl), {
      authProvider: this.#oauth,
      fetch: this.#fetch,
      // Resume a cut stream soon and keep trying while an instance is replaced.
      reconnectionOptions: {
        initialReconnectionDelay: 250,
        maxReconnectionDelay: 2_000,
        reconnectionDelayGrowFactor: 1.5,
        maxRetries: 10,
      },
    });
    try {
      await client.connect(transport, { timeout: CALL_TIMEOUT_MS });
    } catch (error) {
      await client.close().catch(() => undefined);
      throw error;
    }
    this.#client = client;
    return client;
  }

  #fail(error: unknown): string {
    const kind = failureKind(error);
    this.failures.set(kind, (this.failures.get(kind) ?? 0) + 1);
    // A session the MCP server no longer knows needs a new one; other failures keep the session.
    if (kind === 'http 404') {
      const stale = this.#client;
      this.#client = undefined;
      void stale?.close().catch(() => undefined);
    }
    return kind;
  }
}

/** Mostly short calls, and some that stream progress (SSE) long enough to be cut by a kill. */
function toolFor(index: number, call: number): { name: string; arguments: Record<string, unknown> } {
  const pick = (index + call) % 10;
  if (pick === 0) return { name: 'progress', arguments: { count: 5, delayMs: 100 } };
  if (pick < 4) return { name: 'echo', arguments: { text: `call ${call}` } };
  return { name: 'whoami', arguments: {} };
}

function failureKind(error: unknown): string {
  if (typeof error !== 'object' || error === null) return 'other';
  const code = (error as { code?: unknown }).code;
  const name = (error as { name?: unknown }).name;
  const message = error instanceof Error ? error.message : '';
  if (typeof code === 'number' && code >= 100 && code < 600) return `http ${code}`;
  if (/timed out|timeout/i.test(message)) return 'timeout';
  if (typeof name === 'string' && name !== 'Error') return name;
  return message.slice(0, 60);
}

import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { Clock } from '../shared/clock.ts';

export interface ExampleToolsOptions {
  /** The user of the session these tools serve (from the identity provider's token). */
  readonly user: string;
  readonly clock: Clock;
  /** The pause between two progress notifications of `slow_count`. */
  readonly progressIntervalMs: number;
}

export const EXAMPLE_TOOL_NAMES = ['whoami', 'echo', 'current_time', 'count_words', 'slow_count'] as const;

const MAX_SLOW_COUNT_STEPS = 50;

const text = (value: string) => ({ content: [{ type: 'text' as const, text: value }] });

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}

/** The demo's tools: each small, each showing one thing the proxy carries through. */
export function registerExampleTools(server: McpServer, options: ExampleToolsOptions): void {
  server.registerTool(
    'whoami',
    {
      title: 'Who am I?',
      description: 'Tells which user the identity provider signed in: the proxy passed their token here.',
      annotations: { readOnlyHint: true },
    },
    () => text(`You are signed in as ${options.user}.`),
  );

  server.registerTool(
    'echo',
    {
      title: 'Echo',
      description: 'Answers with the text it was given.',
      inputSchema: { text: z.string().max(10_000).describe('The text to send back') },
      annotations: { readOnlyHint: true },
    },
    ({ text: value }) => text(value),
  );

  server.registerTool(
    'current_time',
    {
      title: 'Current time',
      description: 'The current date and time, in UTC or in an IANA time zone such as Europe/Paris.',
      inputSchema: {
        timeZone: z.string().max(64).optional().describe('An IANA time zone; UTC when omitted'),
      },
      annotations: { readOnlyHint: true },
    },
    ({ timeZone }) => {
      const now = new Date(options.clock.nowMs());
      let formatted: string;
      try {
        formatted = new Intl.DateTimeFormat('en-GB', {
          dateStyle: 'full',
          timeStyle: 'long',
          timeZone: timeZone ?? 'UTC',
        }).format(now);
      } catch {
        return {
          ...text(`Unknown time zone: ${timeZone}. Use an IANA name such as Europe/Paris.`),
          isError: true,
        };
      }
      return text(`${formatted} (${now.toISOString()})`);
    },
  );

  server.registerTool(
    'count_words',
    {
      title: 'Count words',
      description: 'Counts the words, characters and lines of a text.',
      inputSchema: { text: z.string().max(1_000_000).describe('The text to count') },
      annotations: { readOnlyHint: true },
    },
    ({ text: value }) => {
      const words = value.split(/\s+/u).filter((word) => word !== '').length;
      const characters = [...value].length;
      const lines = value === '' ? 0 : value.split(/\r\n|\r|\n/).length;
      return text(`${words} words, ${characters} characters, ${lines} lines.`);
    },
  );

  server.registerTool(
    'slow_count',
    {
      title: 'Slow count',
      description:
        'Counts up to a number, one step at a time, sending a progress notification at each step: shows streaming through the proxy.',
      inputSchema: {
        steps: z.number().int().min(1).max(MAX_SLOW_COUNT_STEPS).default(5).describe('How far to count'),
      },
      annotations: { readOnlyHint: true },
    },
    async ({ steps }, extra) => {
      // MCP "Progress": notifications only when the request carried a progressToken.
      const progressToken = extra._meta?.progressToken;
      let step = 0;
      while (step < steps && !extra.signal.aborted) {
        await sleep(options.progressIntervalMs, extra.signal);
        if (extra.signal.aborted) break;
        step += 1;
        if (progressToken !== undefined) {
          await extra.sendNotification({
            method: 'notifications/progress',
            params: { progressToken, progress: step, total: steps, message: `Counted ${step} of ${steps}` },
          });
        }
      }
      return text(step === steps ? `Counted to ${steps}.` : `Stopped at ${step} of ${steps}.`);
    },
  );
}

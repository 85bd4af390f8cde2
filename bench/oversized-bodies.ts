/**
 * What an HTTP client sees when it POSTs a body over the proxy's limit
 * (MCP_AUTH_PROXY_MAX_BODY_BYTES, 4 MiB by default): the status it reads, or
 * the error that ended the request, tallied over ATTEMPTS tries.
 * `node bench/oversized-bodies.ts [attempts]`
 * Each size is sent with a Content-Length (a Buffer) and chunked (a stream),
 * to the proxy running as its own process (`node src/main.ts`).
 */
import { logIn } from '../test/e2e/proxy/proxy-steps.ts';
import { prepareProxyProcess, spawnProxyProcess } from '../test/support/proxy-process.ts';

const MIB = 1024 * 1024;
const SIZES_MIB = [5, 12, 40];
const CHUNK_BYTES = 64 * 1024;
const ATTEMPTS = Number(process.argv[2] ?? 10);

function chunked(totalBytes: number): ReadableStream<Uint8Array> {
  let sentBytes = 0;
  const chunk = new Uint8Array(CHUNK_BYTES).fill(0x61);
  return new ReadableStream({
    pull(controller) {
      if (sentBytes >= totalBytes) return controller.close();
      sentBytes += chunk.length;
      controller.enqueue(chunk);
    },
  });
}

async function outcome(
  url: string,
  token: string,
  body: Buffer | ReadableStream<Uint8Array>,
): Promise<string> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body,
      duplex: 'half',
    });
    const { error } = (await response.json()) as { error?: string };
    return `${response.status} ${error}`;
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return `${(error as Error).message}: ${cause?.code ?? cause?.message ?? 'no cause'}`;
  }
}

const setup = await prepareProxyProcess();
const proxy = await spawnProxyProcess(setup, 'source');
try {
  await proxy.waitForEvent('supervisor.child_ready');
  const mcpUrl = `${proxy.baseUrl}/mcp`;
  const token = (await logIn(mcpUrl, 'alice')).tokens.access_token;
  for (const sizeMiB of SIZES_MIB) {
    const bytes = sizeMiB * MIB;
    for (const framing of ['content-length', 'chunked'] as const) {
      const tally = new Map<string, number>();
      for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
        const body = framing === 'chunked' ? chunked(bytes) : Buffer.alloc(bytes, 'a');
        const seen = await outcome(mcpUrl, token, body);
        tally.set(seen, (tally.get(seen) ?? 0) + 1);
      }
      const counts = [...tally].map(([seen, count]) => `${count}x ${seen}`).join(', ');
      console.log(`${String(sizeMiB).padStart(2)} MiB ${framing.padEnd(14)} ${counts}`);
    }
  }
} finally {
  await proxy.dispose();
  await setup.close();
}

import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';
import {
  newAdmission,
  runAdmission,
  type Admission,
  type AdmissionSteps,
  type Verified,
} from '../../../src/admission/index.ts';
import { createRequestContext } from '../../../src/http-kit/request-context.ts';
import type { Clock } from '../../../src/shared/clock.ts';

/**
 * Runs admission steps on real HTTP requests: each request is admitted by the
 * steps and, when they let it through, answered 200 with the grant id.
 */
export async function serveSteps(
  t: TestContext,
  steps: AdmissionSteps,
  clock: Clock,
  admitted: (admission: Verified<Admission>) => void = () => undefined,
): Promise<string> {
  const server: Server = createServer((req, res) => {
    const context = createRequestContext(req, clock);
    const head = {
      authorization: req.headers.authorization,
      sessionId: undefined,
      hasBody: req.headers['content-length'] !== undefined,
      declaredLength:
        req.headers['content-length'] === undefined ? undefined : Number(req.headers['content-length']),
    };
    void runAdmission(steps, newAdmission(req, res, context, head, {})).then((verified) => {
      if (verified === undefined) return;
      admitted(verified);
      res.writeHead(200, { 'content-type': 'text/plain' }).end(verified.access.grantId);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
}

import type { IncomingHttpHeaders } from 'node:http';
import { readRequestBody } from '../../http-kit/read-request-body.ts';
import { refuseOversizedBody } from '../../http-kit/refuse-oversized-body.ts';
import type { AdmitStep, StepResult, Verified } from '../admission.ts';

export interface ReadBodyOptions {
  readonly maxBodyBytes: number;
  /** Told each body once read (tracing names the MCP operation from it); absent = nobody. */
  readonly observeBody?: ((body: Buffer, headers: IncomingHttpHeaders) => void) | undefined;
}

/**
 * The whole body, as bytes, up to the limit: 413 `request_too_large` past it,
 * from the helper every endpoint uses (http-kit/refuse-oversized-body.ts). Read in
 * full before anything goes upstream (src/proxy/DESIGN.md, "What is buffered").
 */
export function readBody(options: ReadBodyOptions): AdmitStep {
  const { maxBodyBytes, observeBody } = options;
  const read = (admission: Verified) =>
    readRequestBody(admission.req, admission.hasBody, admission.declaredLength, maxBodyBytes);

  const decide = async (admission: Verified): Promise<StepResult> => {
    const body = await (admission.bodyRead ?? read(admission));
    // A client that went away mid-body gets no answer.
    if (body.kind === 'aborted' || admission.aborted) return 'answered';
    if (body.kind === 'too_large') {
      refuseOversizedBody(admission.req, admission.res, maxBodyBytes);
      return 'answered';
    }
    admission.body = body.bytes;
    observeBody?.(body.bytes, admission.req.headers);
    return 'next';
  };
  return {
    start(admission) {
      admission.bodyRead = read(admission);
    },
    decide,
  };
}

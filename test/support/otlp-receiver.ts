/**
 * A real OTLP/HTTP trace receiver for tests: a node:http server on a free port
 * that accepts POST /v1/traces in both encodings (http/protobuf and http/json),
 * keeps every raw body, and decodes the spans. The protobuf decoder is a small
 * reading of the wire format (varints, fixed64, length-delimited fields), for
 * the fields of opentelemetry/proto/trace/v1/trace.proto the tests look at.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type AttributeValue = string | number | boolean | AttributeValue[] | undefined;

export interface ReceivedSpan {
  readonly traceId: string;
  readonly spanId: string;
  /** '' for a root span. */
  readonly parentSpanId: string;
  readonly name: string;
  /** OTLP SpanKind: 1 internal, 2 server, 3 client. */
  readonly kind: number;
  readonly attributes: Readonly<Record<string, AttributeValue>>;
  readonly events: ReadonlyArray<{ name: string; attributes: Readonly<Record<string, AttributeValue>> }>;
  /** OTLP StatusCode: 0 unset, 1 ok, 2 error. */
  readonly statusCode: number;
  readonly resource: Readonly<Record<string, AttributeValue>>;
}

export interface OtlpReceiver {
  /** The endpoint to put in OTEL_EXPORTER_OTLP_TRACES_ENDPOINT. */
  readonly tracesUrl: string;
  /** The base for OTEL_EXPORTER_OTLP_ENDPOINT. */
  readonly baseUrl: string;
  /** Every export request's body and content type, as received. */
  readonly requests: ReadonlyArray<{ contentType: string; body: Buffer }>;
  /** The status export requests get (200 by default; 400 plays a collector that refuses them). */
  status: number;
  /** Every span received so far, decoded (refused exports included). */
  spans(): ReceivedSpan[];
  /** Resolves once a span satisfies `predicate` (polling the received bodies). */
  waitForSpan(predicate: (span: ReceivedSpan) => boolean, timeoutMs?: number): Promise<ReceivedSpan>;
  close(): Promise<void>;
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const requests: Array<{ contentType: string; body: Buffer }> = [];
  const receiver = { status: 200 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/traces') {
        res.writeHead(404).end();
        return;
      }
      requests.push({ contentType: req.headers['content-type'] ?? '', body: Buffer.concat(chunks) });
      const json = (req.headers['content-type'] ?? '').includes('json');
      res.writeHead(receiver.status, {
        'content-type': json ? 'application/json' : 'application/x-protobuf',
      });
      res.end(json ? '{}' : undefined);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  const spans = () => requests.flatMap(({ contentType, body }) => decodeExport(contentType, body));
  const methods: Omit<OtlpReceiver, 'status'> = {
    tracesUrl: `${baseUrl}/v1/traces`,
    baseUrl,
    requests,
    spans,
    async waitForSpan(predicate, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = spans().find(predicate);
        if (found !== undefined) return found;
        if (Date.now() > deadline) {
          throw new Error(
            `no such span; received: ${spans()
              .map((span) => span.name)
              .join(', ')}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  return Object.assign(receiver, methods);
}

function decodeExport(contentType: string, body: Buffer): ReceivedSpan[] {
  return contentType.includes('json') ? decodeJson(body) : decodeProtobuf(body);
}

// --- OTLP/JSON -------------------------------------------------------------

interface JsonKeyValue {
  key: string;
  value: JsonAnyValue;
}
interface JsonAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: number | string;
  doubleValue?: number;
  arrayValue?: { values?: JsonAnyValue[] };
}

function jsonValue(value: JsonAnyValue): AttributeValue {
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.arrayValue !== undefined) return (value.arrayValue.values ?? []).map(jsonValue);
  return undefined;
}

const jsonAttributes = (list: JsonKeyValue[] | undefined): Record<string, AttributeValue> =>
  Object.fromEntries((list ?? []).map(({ key, value }) => [key, jsonValue(value)]));

function decodeJson(body: Buffer): ReceivedSpan[] {
  const request = JSON.parse(body.toString('utf8')) as {
    resourceSpans?: Array<{
      resource?: { attributes?: JsonKeyValue[] };
      scopeSpans?: Array<{
        spans?: Array<{
          traceId: string;
          spanId: string;
          parentSpanId?: string;
          name: string;
          kind?: number;
          attributes?: JsonKeyValue[];
          events?: Array<{ name: string; attributes?: JsonKeyValue[] }>;
          status?: { code?: number };
        }>;
      }>;
    }>;
  };
  return (request.resourceSpans ?? []).flatMap((resourceSpans) => {
    const resource = jsonAttributes(resourceSpans.resource?.attributes);
    return (resourceSpans.scopeSpans ?? []).flatMap((scope) =>
      (scope.spans ?? []).map((span) => ({
        traceId: span.traceId,
        spanId: span.spanId,
        parentSpanId: span.parentSpanId ?? '',
        name: span.name,
        kind: span.kind ?? 0,
        attributes: jsonAttributes(span.attributes),
        events: (span.events ?? []).map((event) => ({
          name: event.name,
          attributes: jsonAttributes(event.attributes),
        })),
        statusCode: span.status?.code ?? 0,
        resource,
      })),
    );
  });
}

// --- OTLP/protobuf ---------------------------------------------------------

type Field = { number: number; varint?: bigint; bytes?: Buffer; fixed64?: Buffer };

/** The fields of one message, in order (proto3 wire format: varint 0, fixed64 1, length-delimited 2, fixed32 5). */
function fields(buffer: Buffer): Field[] {
  const out: Field[] = [];
  let offset = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const byte = buffer[offset++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
    }
  };
  while (offset < buffer.length) {
    const key = Number(varint());
    const number = key >>> 3;
    switch (key & 7) {
      case 0:
        out.push({ number, varint: varint() });
        break;
      case 1:
        out.push({ number, fixed64: buffer.subarray(offset, offset + 8) });
        offset += 8;
        break;
      case 2: {
        const length = Number(varint());
        out.push({ number, bytes: buffer.subarray(offset, offset + length) });
        offset += length;
        break;
      }
      case 5:
        offset += 4;
        break;
      default:
        throw new Error(`unsupported wire type ${key & 7}`);
    }
  }
  return out;
}

const sub = (list: Field[], number: number): Buffer[] =>
  list.filter((field) => field.number === number && field.bytes !== undefined).map((field) => field.bytes!);
const text = (list: Field[], number: number): string => sub(list, number)[0]?.toString('utf8') ?? '';
const hex = (list: Field[], number: number): string => sub(list, number)[0]?.toString('hex') ?? '';
const small = (list: Field[], number: number): number =>
  Number(list.find((field) => field.number === number)?.varint ?? 0n);

function anyValue(buffer: Buffer): AttributeValue {
  const [field] = fields(buffer);
  if (field === undefined) return undefined;
  switch (field.number) {
    case 1:
      return field.bytes?.toString('utf8');
    case 2:
      return field.varint === 1n;
    case 3:
      return Number(BigInt.asIntN(64, field.varint ?? 0n));
    case 4:
      return field.fixed64?.readDoubleLE(0);
    case 5:
      return sub(fields(field.bytes ?? Buffer.alloc(0)), 1).map(anyValue);
    default:
      return field.bytes?.toString('hex');
  }
}

/** KeyValue { string key = 1; AnyValue value = 2; } */
const protoAttributes = (buffers: Buffer[]): Record<string, AttributeValue> =>
  Object.fromEntries(
    buffers.map((buffer) => {
      const keyValue = fields(buffer);
      return [text(keyValue, 1), anyValue(sub(keyValue, 2)[0] ?? Buffer.alloc(0))];
    }),
  );

/** ExportTraceServiceRequest → ResourceSpans(1) → Resource(1) / ScopeSpans(2) → Span(2). */
function decodeProtobuf(body: Buffer): ReceivedSpan[] {
  return sub(fields(body), 1).flatMap((resourceSpansBytes) => {
    const resourceSpans = fields(resourceSpansBytes);
    const resourceBytes = sub(resourceSpans, 1)[0];
    const resource = protoAttributes(resourceBytes === undefined ? [] : sub(fields(resourceBytes), 1));
    return sub(resourceSpans, 2).flatMap((scopeSpans) =>
      sub(fields(scopeSpans), 2).map((spanBytes) => {
        const span = fields(spanBytes);
        const status = sub(span, 15)[0];
        return {
          traceId: hex(span, 1),
          spanId: hex(span, 2),
          parentSpanId: hex(span, 4),
          name: text(span, 5),
          kind: small(span, 6),
          attributes: protoAttributes(sub(span, 9)),
          events: sub(span, 11).map((eventBytes) => {
            const event = fields(eventBytes);
            return { name: text(event, 2), attributes: protoAttributes(sub(event, 3)) };
          }),
          statusCode: status === undefined ? 0 : small(fields(status), 3),
          resource,
        };
      }),
    );
  });
}

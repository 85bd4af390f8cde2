import type { OtlpProtocol, SamplerName, TelemetryConfig, TraceExporterConfig } from '../config.ts';
import type { EnvironmentReader } from '../environment-reader.ts';
import { absoluteUrl, keyValueList, lenientKeyValueList, oneOf, parseText } from '../parsers/index.ts';
import { quoteValue } from '../parsers/quote-value.ts';
import {
  defaultedVariable,
  optionalVariable,
  valid,
  type ValueParser,
  type VariableGroup,
} from '../variable.ts';

/**
 * The standard OpenTelemetry variables ("Environment Variable Specification"
 * and "OTLP Exporter Configuration"), read here and nowhere else: the SDK is
 * built from these values and never reads the environment itself
 * (src/telemetry/DESIGN.md). Where the specification says to warn and go on,
 * we warn and go on, so that a configuration the Heroku proxy's SDK accepted
 * never stops this proxy from starting.
 */

const TRUE_WORDS = new Set(['true', '1', 'yes']);
const FALSE_WORDS = new Set(['false', '0', 'no']);

/** The specification's boolean: true is true, anything else is false, with a warning when it is not a false word. */
const otelBoolean: ValueParser<boolean> = (raw) => {
  const word = raw.toLowerCase();
  if (TRUE_WORDS.has(word)) return valid(true);
  if (FALSE_WORDS.has(word)) return valid(false);
  return valid(false, [`is not true or false, got ${quoteValue(raw)}; read as false`]);
};

const EXPORTER_NAMES = ['otlp', 'console', 'none'] as const;
type ExporterName = (typeof EXPORTER_NAMES)[number];

const exporterList: ValueParser<readonly ExporterName[]> = (raw) => {
  const names: ExporterName[] = [];
  const warnings: string[] = [];
  for (const entry of raw.split(',').map((part) => part.trim().toLowerCase())) {
    if (entry === '') continue;
    const known = EXPORTER_NAMES.find((name) => name === entry);
    if (known === undefined)
      warnings.push(`names ${quoteValue(entry)}, which this proxy cannot export to; ignored`);
    else if (!names.includes(known)) names.push(known);
  }
  return valid(names, warnings);
};

/** grpc needs a second transport stack; the OTLP/HTTP encodings reach every collector's port 4318. */
const protocol: ValueParser<OtlpProtocol> = (raw, context) => {
  if (raw.toLowerCase() === 'grpc') {
    return valid('http/protobuf', [
      'is grpc, which this proxy does not speak; exporting with http/protobuf instead (point the endpoint at the collector’s OTLP/HTTP port, usually 4318)',
    ]);
  }
  return oneOf(['http/protobuf', 'http/json'] as const)(raw, context);
};

const SAMPLER_NAMES: readonly SamplerName[] = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
];
const DEFAULT_SAMPLER: SamplerName = 'parentbased_always_on';

const sampler: ValueParser<SamplerName> = (raw) => {
  const name = SAMPLER_NAMES.find((candidate) => candidate === raw.toLowerCase());
  if (name !== undefined) return valid(name);
  return valid(DEFAULT_SAMPLER, [
    `must be one of ${SAMPLER_NAMES.join(', ')}, got ${quoteValue(raw)}; using ${DEFAULT_SAMPLER}`,
  ]);
};

const ratio: ValueParser<number> = (raw) => {
  const value = Number(raw);
  if (raw !== '' && Number.isFinite(value) && value >= 0 && value <= 1) return valid(value);
  return valid(1, [`must be a number from 0 to 1, got ${quoteValue(raw)}; using 1`]);
};

const otlpUrl = absoluteUrl(['http:', 'https:']);

export const OTEL_SDK_DISABLED = defaultedVariable({
  name: 'OTEL_SDK_DISABLED',
  description:
    '`true` turns tracing off entirely: no span is made, nothing is exported, and the OpenTelemetry SDK is not even loaded.',
  example: 'true',
  heroku: 'same',
  defaultRaw: 'false',
  parse: otelBoolean,
});

export const OTEL_TRACES_EXPORTER = defaultedVariable({
  name: 'OTEL_TRACES_EXPORTER',
  description:
    'Where spans go, comma-separated: `otlp` (OTLP over HTTP to the endpoint below), `console` (stdout, for development) or `none` (tracing off).',
  example: 'none',
  heroku: 'same',
  defaultRaw: 'otlp',
  parse: exporterList,
});

export const OTEL_EXPORTER_OTLP_ENDPOINT = optionalVariable({
  name: 'OTEL_EXPORTER_OTLP_ENDPOINT',
  description: 'The OTLP/HTTP base URL of the collector; spans go to its `/v1/traces`.',
  example: 'https://otel-collector.internal:4318',
  heroku: 'same',
  whenUnset: 'http://localhost:4318',
  parse: otlpUrl,
});

export const OTEL_EXPORTER_OTLP_TRACES_ENDPOINT = optionalVariable({
  name: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
  description: 'The full URL spans are POSTed to, used as is; wins over OTEL_EXPORTER_OTLP_ENDPOINT.',
  example: 'https://api.honeycomb.io/v1/traces',
  heroku: 'same',
  whenUnset: 'OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces',
  parse: otlpUrl,
});

export const OTEL_EXPORTER_OTLP_HEADERS = optionalVariable({
  name: 'OTEL_EXPORTER_OTLP_HEADERS',
  description:
    'Headers sent with every export, as `key=value` pairs separated by commas (values percent-encoded).',
  example: 'x-honeycomb-team=your-api-key',
  secret: true,
  heroku: 'same',
  parse: keyValueList,
});

export const OTEL_EXPORTER_OTLP_TRACES_HEADERS = optionalVariable({
  name: 'OTEL_EXPORTER_OTLP_TRACES_HEADERS',
  description:
    'Headers sent with span exports; a key here wins over the same key in OTEL_EXPORTER_OTLP_HEADERS.',
  example: 'authorization=Bearer%20your-api-key',
  secret: true,
  heroku: 'same',
  parse: keyValueList,
});

export const OTEL_EXPORTER_OTLP_PROTOCOL = defaultedVariable({
  name: 'OTEL_EXPORTER_OTLP_PROTOCOL',
  description:
    'The OTLP encoding: `http/protobuf` or `http/json`. `grpc` is not supported: it logs a warning and exports with http/protobuf.',
  example: 'http/json',
  heroku: {
    changed:
      'honoured (the Heroku proxy always sent http/json); grpc falls back to http/protobuf with a warning',
  },
  defaultRaw: 'http/protobuf',
  parse: protocol,
});

export const OTEL_EXPORTER_OTLP_TRACES_PROTOCOL = optionalVariable({
  name: 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL',
  description: 'The OTLP encoding for spans; wins over OTEL_EXPORTER_OTLP_PROTOCOL.',
  example: 'http/json',
  heroku: { changed: 'honoured, as OTEL_EXPORTER_OTLP_PROTOCOL' },
  whenUnset: 'OTEL_EXPORTER_OTLP_PROTOCOL',
  parse: protocol,
});

export const OTEL_SERVICE_NAME = optionalVariable({
  name: 'OTEL_SERVICE_NAME',
  description: 'The `service.name` of every span; wins over a service.name in OTEL_RESOURCE_ATTRIBUTES.',
  example: 'acme-mcp-proxy',
  heroku: 'same',
  whenUnset: 'service.name from OTEL_RESOURCE_ATTRIBUTES, else unknown_service:node',
  parse: parseText,
});

export const OTEL_RESOURCE_ATTRIBUTES = optionalVariable({
  name: 'OTEL_RESOURCE_ATTRIBUTES',
  description:
    'Attributes of the resource (this process) on every span, as `key=value` pairs separated by commas; a malformed value is ignored with a warning.',
  example: 'deployment.environment.name=production,service.namespace=mcp',
  heroku: 'same',
  parse: lenientKeyValueList,
});

export const OTEL_TRACES_SAMPLER = defaultedVariable({
  name: 'OTEL_TRACES_SAMPLER',
  description: `Which traces are recorded: ${SAMPLER_NAMES.join(', ')}. parentbased_* follow the caller's sampled flag (an incoming traceparent).`,
  example: 'parentbased_traceidratio',
  heroku: 'same',
  defaultRaw: DEFAULT_SAMPLER,
  parse: sampler,
});

export const OTEL_TRACES_SAMPLER_ARG = defaultedVariable({
  name: 'OTEL_TRACES_SAMPLER_ARG',
  description: 'The ratio of traces the traceidratio samplers record, from 0 to 1.',
  example: '0.1',
  heroku: 'same',
  defaultRaw: '1',
  parse: ratio,
});

export const TELEMETRY_VARIABLES: VariableGroup = {
  title: 'Traces (OpenTelemetry)',
  variables: [
    OTEL_SDK_DISABLED,
    OTEL_TRACES_EXPORTER,
    OTEL_EXPORTER_OTLP_ENDPOINT,
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,
    OTEL_EXPORTER_OTLP_HEADERS,
    OTEL_EXPORTER_OTLP_TRACES_HEADERS,
    OTEL_EXPORTER_OTLP_PROTOCOL,
    OTEL_EXPORTER_OTLP_TRACES_PROTOCOL,
    OTEL_SERVICE_NAME,
    OTEL_RESOURCE_ATTRIBUTES,
    OTEL_TRACES_SAMPLER,
    OTEL_TRACES_SAMPLER_ARG,
  ],
};

/** The OTLP/HTTP default of the specification: a collector on this host. */
const DEFAULT_OTLP_ENDPOINT = 'http://localhost:4318';

export function readTelemetry(reader: EnvironmentReader): TelemetryConfig {
  const disabled = reader.value(OTEL_SDK_DISABLED);
  const exporterNames = reader.value(OTEL_TRACES_EXPORTER);
  const exporters: TraceExporterConfig[] = [];
  if (exporterNames.includes('otlp')) exporters.push(readOtlpExporter(reader));
  if (exporterNames.includes('console')) exporters.push({ kind: 'console' });
  const resource = { ...reader.maybe(OTEL_RESOURCE_ATTRIBUTES) };
  const serviceName = reader.maybe(OTEL_SERVICE_NAME);
  if (serviceName !== undefined) resource['service.name'] = serviceName;
  const samplerName = reader.value(OTEL_TRACES_SAMPLER);
  const samplerRatio = reader.value(OTEL_TRACES_SAMPLER_ARG);

  if (disabled) return { tracing: 'off', reason: 'OTEL_SDK_DISABLED' };
  // `none` alone, or no exporter left after ignoring unknown names: nothing would receive a span.
  if (exporters.length === 0 || exporterNames.includes('none')) {
    return { tracing: 'off', reason: 'OTEL_TRACES_EXPORTER' };
  }
  return { tracing: 'on', exporters, resource, sampler: { name: samplerName, ratio: samplerRatio } };
}

function readOtlpExporter(reader: EnvironmentReader): TraceExporterConfig {
  const tracesEndpoint = reader.maybe(OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
  const base = reader.maybe(OTEL_EXPORTER_OTLP_ENDPOINT)?.href ?? DEFAULT_OTLP_ENDPOINT;
  // The base endpoint gets the signal path appended (OTLP Exporter spec, "Endpoint URLs for OTLP/HTTP").
  const url = tracesEndpoint?.href ?? `${base.endsWith('/') ? base.slice(0, -1) : base}/v1/traces`;
  return {
    kind: 'otlp',
    url,
    protocol: reader.maybe(OTEL_EXPORTER_OTLP_TRACES_PROTOCOL) ?? reader.value(OTEL_EXPORTER_OTLP_PROTOCOL),
    headers: {
      ...reader.maybe(OTEL_EXPORTER_OTLP_HEADERS),
      ...reader.maybe(OTEL_EXPORTER_OTLP_TRACES_HEADERS),
    },
  };
}

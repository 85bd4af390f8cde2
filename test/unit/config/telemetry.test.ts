import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TracingOn } from '../../../src/config/index.ts';
import { describeConfig } from '../../../src/config/index.ts';
import { loadOk, loadProblems, MINIMAL_ENV, problemFor } from './config-fixtures.ts';

function tracingOn(env: Record<string, string>): { config: TracingOn; warnings: readonly string[] } {
  const { config, warnings } = loadOk({ ...MINIMAL_ENV, ...env });
  assert.equal(config.telemetry.tracing, 'on');
  return { config: config.telemetry, warnings };
}

describe('OpenTelemetry configuration (OTEL_*)', () => {
  it('traces by default, as the Heroku proxy did: OTLP http/protobuf to localhost:4318, parent-based always-on', () => {
    const { config, warnings } = tracingOn({});
    assert.deepEqual(config, {
      tracing: 'on',
      exporters: [
        { kind: 'otlp', url: 'http://localhost:4318/v1/traces', protocol: 'http/protobuf', headers: {} },
      ],
      resource: {},
      sampler: { name: 'parentbased_always_on', ratio: 1 },
    });
    assert.deepEqual(warnings, []);
  });

  it('turns off with OTEL_SDK_DISABLED=true (any case) or OTEL_TRACES_EXPORTER=none', () => {
    assert.deepEqual(loadOk({ ...MINIMAL_ENV, OTEL_SDK_DISABLED: 'TRUE' }).config.telemetry, {
      tracing: 'off',
      reason: 'OTEL_SDK_DISABLED',
    });
    assert.deepEqual(loadOk({ ...MINIMAL_ENV, OTEL_TRACES_EXPORTER: 'none' }).config.telemetry, {
      tracing: 'off',
      reason: 'OTEL_TRACES_EXPORTER',
    });
  });

  it('reads an unknown OTEL_SDK_DISABLED value as false with a warning, as the specification says', () => {
    const { warnings } = tracingOn({ OTEL_SDK_DISABLED: 'disabled' });
    assert.deepEqual(warnings, ['OTEL_SDK_DISABLED is not true or false, got "disabled"; read as false']);
  });

  it('appends /v1/traces to OTEL_EXPORTER_OTLP_ENDPOINT and uses OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as is', () => {
    const base = tracingOn({ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://collector.example.com:4318/otlp/' });
    assert.equal(
      base.config.exporters[0]?.kind === 'otlp' && base.config.exporters[0].url,
      'https://collector.example.com:4318/otlp/v1/traces',
    );
    const exact = tracingOn({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'https://collector.example.com',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example.com/ingest',
    });
    assert.equal(
      exact.config.exporters[0]?.kind === 'otlp' && exact.config.exporters[0].url,
      'https://traces.example.com/ingest',
    );
  });

  it('merges the export headers, the traces-specific ones winning, percent-decoded', () => {
    const { config } = tracingOn({
      OTEL_EXPORTER_OTLP_HEADERS: 'x-team=abc,authorization=Basic%20one',
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'authorization=Bearer%20two',
    });
    assert.deepEqual(config.exporters[0]?.kind === 'otlp' && config.exporters[0].headers, {
      'x-team': 'abc',
      authorization: 'Bearer two',
    });
  });

  it('refuses malformed export headers without echoing their values, and shows only header names in the description', () => {
    const problem = problemFor(
      loadProblems({ ...MINIMAL_ENV, OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key-secret-value' }),
      'OTEL_EXPORTER_OTLP_HEADERS',
    );
    assert.doesNotMatch(problem.message, /secret-value/);
    const { config } = loadOk({ ...MINIMAL_ENV, OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=s3cr3t' });
    assert.doesNotMatch(JSON.stringify(describeConfig(config)), /s3cr3t/);
  });

  it('takes http/json, and falls back from grpc to http/protobuf with a warning', () => {
    const json = tracingOn({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' });
    assert.equal(json.config.exporters[0]?.kind === 'otlp' && json.config.exporters[0].protocol, 'http/json');
    const grpc = tracingOn({
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc',
    });
    assert.equal(
      grpc.config.exporters[0]?.kind === 'otlp' && grpc.config.exporters[0].protocol,
      'http/protobuf',
    );
    assert.match(
      grpc.warnings.join('\n'),
      /OTEL_EXPORTER_OTLP_TRACES_PROTOCOL is grpc, which this proxy does not speak/,
    );
  });

  it('puts OTEL_SERVICE_NAME over the service.name of OTEL_RESOURCE_ATTRIBUTES', () => {
    const { config } = tracingOn({
      OTEL_SERVICE_NAME: 'acme-proxy',
      OTEL_RESOURCE_ATTRIBUTES: 'service.name=ignored,deployment.environment.name=prod%20eu',
    });
    assert.deepEqual(config.resource, {
      'service.name': 'acme-proxy',
      'deployment.environment.name': 'prod eu',
    });
  });

  it('ignores a malformed OTEL_RESOURCE_ATTRIBUTES as a whole, with a warning', () => {
    const { config, warnings } = tracingOn({ OTEL_RESOURCE_ATTRIBUTES: 'team=a,oops' });
    assert.deepEqual(config.resource, {});
    assert.match(warnings.join('\n'), /OTEL_RESOURCE_ATTRIBUTES .*the whole value is ignored/);
  });

  it('reads the sampler and its ratio; unknown samplers and ratios fall back with a warning', () => {
    assert.deepEqual(
      tracingOn({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.25' }).config.sampler,
      { name: 'traceidratio', ratio: 0.25 },
    );
    const fallback = tracingOn({ OTEL_TRACES_SAMPLER: 'jaeger_remote', OTEL_TRACES_SAMPLER_ARG: '2' });
    assert.deepEqual(fallback.config.sampler, { name: 'parentbased_always_on', ratio: 1 });
    assert.equal(fallback.warnings.length, 2);
  });

  it('exports to the console too when asked, and ignores exporters it does not have', () => {
    const { config, warnings } = tracingOn({ OTEL_TRACES_EXPORTER: 'otlp, console, zipkin' });
    assert.deepEqual(
      config.exporters.map((exporter) => exporter.kind),
      ['otlp', 'console'],
    );
    assert.match(warnings.join('\n'), /names "zipkin", which this proxy cannot export to; ignored/);
  });
});

/**
 * The audit observer (src/audit/create-audit-trail.ts): records leave in the
 * order their events were told, even when one waits for its client's name;
 * names are looked up once per client; the active OpenTelemetry span's trace
 * id is recorded; and stdout records are written whatever LOG_LEVEL says.
 */
import assert from 'node:assert/strict';
import { AsyncLocalStorage } from 'node:async_hooks';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import {
  ROOT_CONTEXT,
  TraceFlags,
  context,
  trace,
  type Context,
  type ContextManager,
} from '@opentelemetry/api';
import {
  ClientNames,
  createAuditTrail,
  stdoutAuditSink,
  type AuditRecord,
  type AuditSink,
} from '../../../src/audit/index.ts';
import type { ObservedEvent } from '../../../src/observability/index.ts';
import { systemClock } from '../../../src/shared/clock.ts';
import { createLogger } from '../../../src/shared/logger.ts';

/** What an OpenTelemetry SDK registers: the active context follows async work (AsyncLocalStorage). */
class AsyncLocalContextManager implements ContextManager {
  readonly #storage = new AsyncLocalStorage<Context>();
  active(): Context {
    return this.#storage.getStore() ?? ROOT_CONTEXT;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    active: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    return this.#storage.run(active, () => fn.call(thisArg, ...args));
  }
  bind<T>(_context: Context, target: T): T {
    return target;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    return this;
  }
}

class RecordingSink implements AuditSink {
  readonly records: AuditRecord[] = [];
  write(record: AuditRecord): void {
    this.records.push(record);
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

const issued = (clientId: string): ObservedEvent => ({
  type: 'token.issued',
  grantType: 'refresh_token',
  clientId,
  accountId: 'user-1',
  grantId: 'grant-1',
  request: undefined,
});

describe('the audit trail observer', () => {
  it('writes records in the order told while an earlier one waits for its client name', async () => {
    const sink = new RecordingSink();
    let answer: (name: string | undefined) => void = () => undefined;
    const lookups: string[] = [];
    const names = new ClientNames((clientId) => {
      lookups.push(clientId);
      return new Promise((resolve) => (answer = resolve));
    }, systemClock);
    const trail = createAuditTrail({
      sink,
      source: 'proxy',
      trustForwarded: false,
      clientNames: names,
      clock: systemClock,
    });
    trail.observe(issued('slow-client'));
    trail.observe({
      type: 'client.registered',
      registration: 'dynamic',
      clientId: 'named-client',
      clientName: 'Named',
      request: undefined,
    });
    trail.observe(issued('slow-client'));
    assert.equal(sink.records.length, 0, 'nothing overtakes the record that waits');
    answer('Slow Client');
    await trail.close();
    assert.deepEqual(
      sink.records.map((record) => [record.event, record.clientId, record.clientName]),
      [
        ['audit.token_issued', 'slow-client', 'Slow Client'],
        ['audit.client_registered', 'named-client', 'Named'],
        ['audit.token_issued', 'slow-client', 'Slow Client'],
      ],
    );
    assert.deepEqual(lookups, ['slow-client'], 'one lookup per client');
  });

  it('records the trace id of the active span, and none without one', async () => {
    context.setGlobalContextManager(new AsyncLocalContextManager());
    const sink = new RecordingSink();
    const trail = createAuditTrail({ sink, source: 'proxy', trustForwarded: false, clock: systemClock });
    const span = trace.wrapSpanContext({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: TraceFlags.SAMPLED,
    });
    context.with(trace.setSpan(ROOT_CONTEXT, span), () => trail.observe(issued('c1')));
    trail.observe(issued('c1'));
    await trail.close();
    context.disable();
    assert.deepEqual(
      sink.records.map((record) => record.traceId),
      ['4bf92f3577b34da6a3ce929d0e0e4736', undefined],
    );
  });

  it('writes stdout records at info with logType audit even when LOG_LEVEL is warn', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString('utf8').split('\n'))
          if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    const logger = createLogger({ level: 'warn', appName: 'audit-test', environment: 'test', destination });
    const trail = createAuditTrail({
      sink: stdoutAuditSink(logger),
      source: 'proxy',
      trustForwarded: false,
      clock: systemClock,
    });
    logger.info({ event: 'ordinary' }, 'ordinary');
    trail.observe(issued('c1'));
    await trail.close();
    assert.equal(lines.length, 1, 'the ordinary info line stays hidden');
    assert.equal(lines[0]?.['logType'], 'audit');
    assert.equal(lines[0]?.['event'], 'audit.token_issued');
    assert.equal(lines[0]?.['level'], 30);
    assert.equal(lines[0]?.['app'], 'audit-test');
    assert.equal(Object.keys(lines[0] ?? {}).filter((key) => key === 'time').length, 1);
  });
});

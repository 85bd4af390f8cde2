import { valid, type ValueParser } from '../variable.ts';

/**
 * `key1=value1,key2=value2` with percent-encoded values, the format of
 * OTEL_RESOURCE_ATTRIBUTES and OTEL_EXPORTER_OTLP_HEADERS (OpenTelemetry
 * "Environment Variable Specification", W3C Baggage octets). Blank entries
 * are skipped; a later key replaces an earlier one. The value may be a
 * secret (headers carry API keys), so messages name the entry's position
 * and key, never its value.
 */
export const keyValueList: ValueParser<Readonly<Record<string, string>>> = (raw) => {
  const entries: Record<string, string> = {};
  const messages: string[] = [];
  raw.split(',').forEach((entry, index) => {
    if (entry.trim() === '') return;
    const equals = entry.indexOf('=');
    const key = (equals === -1 ? entry : entry.slice(0, equals)).trim();
    if (equals === -1 || key === '') {
      messages.push(`has an entry (number ${index + 1}) that is not key=value`);
      return;
    }
    try {
      entries[decodeURIComponent(key)] = decodeURIComponent(entry.slice(equals + 1).trim());
    } catch {
      messages.push(`has a value for ${JSON.stringify(key)} that is not valid percent-encoding`);
    }
  });
  return messages.length > 0 ? { ok: false, messages } : valid(entries);
};

/** Like keyValueList, but every problem is a warning and the whole value is ignored (the OpenTelemetry rule for OTEL_RESOURCE_ATTRIBUTES). */
export const lenientKeyValueList: ValueParser<Readonly<Record<string, string>>> = (raw, context) => {
  const parsed = keyValueList(raw, context);
  if (parsed.ok) return parsed;
  return valid({}, [...parsed.messages.map((message) => `${message}; the whole value is ignored`)]);
};

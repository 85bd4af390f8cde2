import type { ClaimScalar, ClaimTest, Condition } from './rule-types.ts';
import { isRecord, readNames, reportUnknownKeys, type Report } from './parse-values.ts';

const CONDITION_FIELDS = ['groups', 'roles', 'email', 'emailDomain', 'claim', 'anyOf'] as const;
const CLAIM_FIELDS = ['name', 'in', 'equals', 'present'];

/** Validates a `when` / `unless` / `anyOf` member; every field set must hold. */
export function parseCondition(value: unknown, path: string, report: Report): Condition | undefined {
  if (!isRecord(value)) {
    report(path, 'must be a mapping of conditions, e.g. { groups: [finance] }');
    return undefined;
  }
  reportUnknownKeys(value, CONDITION_FIELDS, path, report, {
    group: 'did you mean groups?',
    role: 'did you mean roles?',
    domain: 'did you mean emailDomain?',
    claims: 'write claim: one test, or a list of tests',
  });
  const fields = CONDITION_FIELDS.filter((field) => value[field] !== undefined);
  if (fields.length === 0) {
    report(path, 'names no condition; leave it out to apply the rule to everyone');
    return undefined;
  }
  const condition: { -readonly [K in keyof Condition]: Condition[K] } = {};
  let valid = true;
  for (const field of fields) {
    const parsed = FIELD_READERS[field](value[field], `${path}.${field}`, report);
    if (parsed === undefined) valid = false;
    else Object.assign(condition, { [field === 'claim' ? 'claims' : field]: parsed });
  }
  return valid ? condition : undefined;
}

type FieldReader = (value: unknown, path: string, report: Report) => readonly unknown[] | undefined;

const FIELD_READERS: Record<(typeof CONDITION_FIELDS)[number], FieldReader> = {
  groups: readNames,
  roles: readNames,
  email: (value, path, report) => readEmails(value, path, report),
  emailDomain: (value, path, report) => readDomains(value, path, report),
  claim: (value, path, report) => readClaimTests(value, path, report),
  anyOf: (value, path, report) => readAnyOf(value, path, report),
};

function readEmails(value: unknown, path: string, report: Report): string[] | undefined {
  const names = readNames(value, path, report);
  if (names === undefined) return undefined;
  const bad = names.findIndex((name) => !/^[^@\s]+@[^@\s]+$/.test(name));
  if (bad !== -1) {
    report(`${path}[${bad}]`, 'must be an email address (local@domain)');
    return undefined;
  }
  return names.map((name) => name.toLowerCase());
}

function readDomains(value: unknown, path: string, report: Report): string[] | undefined {
  const names = readNames(value, path, report);
  if (names === undefined) return undefined;
  const domains = names.map((name) => name.toLowerCase().replace(/^@/, ''));
  const bad = domains.findIndex((domain) => !/^[a-z0-9-]+(\.[a-z0-9-]+)*$/.test(domain));
  if (bad !== -1) {
    report(
      `${path}[${bad}]`,
      'must be a domain such as example.com (matched exactly, subdomains are not included)',
    );
    return undefined;
  }
  return domains;
}

function readAnyOf(value: unknown, path: string, report: Report): Condition[] | undefined {
  if (!Array.isArray(value) || value.length === 0) {
    report(path, 'must be a non-empty list of conditions');
    return undefined;
  }
  const conditions = value.map((item: unknown, index) => parseCondition(item, `${path}[${index}]`, report));
  return conditions.every((condition) => condition !== undefined) ? conditions : undefined;
}

function readClaimTests(value: unknown, path: string, report: Report): ClaimTest[] | undefined {
  const items: unknown[] = Array.isArray(value) ? value : [value];
  if (items.length === 0) {
    report(path, 'must be a claim test, or a non-empty list of them');
    return undefined;
  }
  const tests = items.map((item, index) =>
    readClaimTest(item, Array.isArray(value) ? `${path}[${index}]` : path, report),
  );
  return tests.every((test) => test !== undefined) ? tests : undefined;
}

function readClaimTest(value: unknown, path: string, report: Report): ClaimTest | undefined {
  if (!isRecord(value)) {
    report(path, 'must be a mapping such as { name: department, in: [support] }');
    return undefined;
  }
  reportUnknownKeys(value, CLAIM_FIELDS, path, report);
  const name = value['name'];
  if (typeof name !== 'string' || name.length === 0) {
    report(`${path}.name`, 'must name the claim (a dotted path such as realm_access.roles works too)');
  }
  const tests = ['in', 'equals', 'present'].filter((field) => value[field] !== undefined);
  if (tests.length !== 1) {
    report(path, 'must have exactly one of in, equals or present');
    return undefined;
  }
  if (typeof name !== 'string' || name.length === 0) return undefined;
  if (value['present'] !== undefined) {
    if (typeof value['present'] === 'boolean') return { name, present: value['present'] };
    report(`${path}.present`, 'must be true or false');
    return undefined;
  }
  const values = value['in'] !== undefined ? value['in'] : [value['equals']];
  const field = value['in'] !== undefined ? 'in' : 'equals';
  if (!Array.isArray(values) || values.length === 0 || !values.every(isClaimScalar)) {
    report(
      `${path}.${field}`,
      field === 'in'
        ? 'must be a non-empty list of strings, numbers or booleans'
        : 'must be a string, number or boolean',
    );
    return undefined;
  }
  return { name, in: values };
}

function isClaimScalar(value: unknown): value is ClaimScalar {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

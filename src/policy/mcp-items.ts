import type { ItemKind } from './rule-types.ts';

/** A JSON-RPC id (the MCP schema: string or number; never null for a request). */
export type JsonRpcId = string | number;

/** The MCP list methods whose answers are filtered, and where each answer keeps its items and their names. */
export const LIST_METHODS = {
  'tools/list': { kind: 'tools', field: 'tools', key: 'name' },
  'prompts/list': { kind: 'prompts', field: 'prompts', key: 'name' },
  'resources/list': { kind: 'resources', field: 'resources', key: 'uri' },
  // A template is matched by its URI template text, with the same patterns as
  // resources: `docs://*` covers `docs://{path}` as well as `docs://a.md`.
  'resources/templates/list': { kind: 'resources', field: 'resourceTemplates', key: 'uriTemplate' },
} as const satisfies Record<string, { kind: ItemKind; field: string; key: string }>;

export type ListMethod = keyof typeof LIST_METHODS;

export function isListMethod(method: unknown): method is ListMethod {
  return typeof method === 'string' && Object.hasOwn(LIST_METHODS, method);
}

/** The item a request uses, for the methods that name one; undefined for every other method. */
export interface NamedItem {
  readonly kind: ItemKind;
  /** `''` when the request names none (the MCP server would refuse it anyway). */
  readonly name: string;
}

/**
 * The requests that use one named item. `completion/complete` is here because
 * completing a prompt's or template's arguments reveals what it offers.
 * `resources/unsubscribe` is not: stopping is always allowed.
 */
export function namedItemOf(method: string, params: unknown): NamedItem | undefined {
  const fields = typeof params === 'object' && params !== null ? (params as Record<string, unknown>) : {};
  switch (method) {
    case 'tools/call':
      return { kind: 'tools', name: text(fields['name']) };
    case 'prompts/get':
      return { kind: 'prompts', name: text(fields['name']) };
    case 'resources/read':
    case 'resources/subscribe':
      return { kind: 'resources', name: text(fields['uri']) };
    case 'completion/complete':
      return completionItem(fields['ref']);
    default:
      return undefined;
  }
}

function completionItem(ref: unknown): NamedItem | undefined {
  if (typeof ref !== 'object' || ref === null) return undefined;
  const { type, name, uri } = ref as Record<string, unknown>;
  if (type === 'ref/prompt') return { kind: 'prompts', name: text(name) };
  if (type === 'ref/resource') return { kind: 'resources', name: text(uri) };
  return undefined;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** Singular nouns for messages. */
export const ITEM_NOUNS: Record<ItemKind, string> = {
  tools: 'tool',
  prompts: 'prompt',
  resources: 'resource',
};

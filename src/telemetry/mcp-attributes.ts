import type { IncomingHttpHeaders } from 'node:http';
import { context, trace, type Attributes } from '@opentelemetry/api';
import {
  GEN_AI_OPERATION_NAME,
  GEN_AI_PROMPT_NAME,
  GEN_AI_TOOL_NAME,
  JSONRPC_REQUEST_ID,
  MCP_METHOD_NAME,
  MCP_PROTOCOL_VERSION,
  MCP_SESSION_ID,
} from './semantic-attributes.ts';

/**
 * Bodies up to this size are parsed to name the operation when no Mcp-Method
 * header does. A tool call with a larger argument keeps its HTTP attributes
 * only: parsing megabytes to label a span would cost more than the span.
 */
export const MAX_DESCRIBED_BODY_BYTES = 32 * 1024;
/** Longer names or ids are not identifiers worth an attribute (and bound the span's size). */
const MAX_VALUE_LENGTH = 256;

/**
 * The MCP attributes of the request's span ("Semantic conventions for Model
 * Context Protocol"): `mcp.method.name`, `mcp.session.id`,
 * `mcp.protocol.version`, `jsonrpc.request.id`, and `gen_ai.tool.name` or
 * `gen_ai.prompt.name`. The 2026-07-28 `Mcp-Method`/`Mcp-Name` headers answer
 * without touching the body; otherwise a body up to MAX_DESCRIBED_BODY_BYTES is
 * parsed, and only when the span records, so an unsampled or untraced request
 * never pays for it. Tool arguments, resource URIs and results are never
 * recorded: they are the user's data and may hold anything.
 */
export function describeMcpRequest(body: Buffer, headers: IncomingHttpHeaders): void {
  const span = trace.getSpan(context.active());
  if (span === undefined || !span.isRecording()) return;
  const attributes: Attributes = {};
  setText(attributes, MCP_SESSION_ID, headers['mcp-session-id']);
  setText(attributes, MCP_PROTOCOL_VERSION, headers['mcp-protocol-version']);
  const methodHeader = headers['mcp-method'];
  if (typeof methodHeader === 'string') {
    const nameHeader = headers['mcp-name'];
    // A name outside visible ASCII travels base64-encoded (MCP 2026-07-28 §6.5): left out rather than decoded here.
    const name = typeof nameHeader === 'string' && !nameHeader.startsWith('=?') ? nameHeader : undefined;
    describeOperation(attributes, methodHeader, name);
  } else if (body.length > 0 && body.length <= MAX_DESCRIBED_BODY_BYTES) {
    describeMessage(attributes, body);
  }
  span.setAttributes(attributes);
}

function describeMessage(attributes: Attributes, body: Buffer): void {
  let message: unknown;
  try {
    message = JSON.parse(body.toString('utf8'));
  } catch {
    return;
  }
  // A 2025-03-26 batch names several operations; one span cannot carry them all.
  if (typeof message !== 'object' || message === null || Array.isArray(message)) return;
  const { method, params, id } = message as Record<string, unknown>;
  if (typeof id === 'string' || typeof id === 'number') setText(attributes, JSONRPC_REQUEST_ID, String(id));
  if (typeof method !== 'string') return;
  const name =
    typeof params === 'object' && params !== null ? (params as { name?: unknown }).name : undefined;
  describeOperation(attributes, method, typeof name === 'string' ? name : undefined);
}

function describeOperation(attributes: Attributes, method: string, name: string | undefined): void {
  setText(attributes, MCP_METHOD_NAME, method);
  if (method === 'tools/call') {
    attributes[GEN_AI_OPERATION_NAME] = 'execute_tool';
    setText(attributes, GEN_AI_TOOL_NAME, name);
  } else if (method === 'prompts/get') {
    setText(attributes, GEN_AI_PROMPT_NAME, name);
  }
}

function setText(attributes: Attributes, key: string, value: string | string[] | undefined): void {
  if (typeof value === 'string' && value !== '' && value.length <= MAX_VALUE_LENGTH) attributes[key] = value;
}

/**
 * Attribute names from the OpenTelemetry semantic conventions (HTTP spans,
 * database spans, "Semantic conventions for Model Context Protocol"), written
 * out rather than imported: @opentelemetry/semantic-conventions is 10 MB for a
 * handful of strings. Names under `mcp_auth_proxy.` are our own.
 */
export const HTTP_REQUEST_METHOD = 'http.request.method';
export const HTTP_REQUEST_METHOD_ORIGINAL = 'http.request.method_original';
export const HTTP_REQUEST_RESEND_COUNT = 'http.request.resend_count';
export const HTTP_RESPONSE_STATUS_CODE = 'http.response.status_code';
export const HTTP_ROUTE = 'http.route';
export const URL_PATH = 'url.path';
export const URL_SCHEME = 'url.scheme';
export const URL_FULL = 'url.full';
export const SERVER_ADDRESS = 'server.address';
export const SERVER_PORT = 'server.port';
export const ERROR_TYPE = 'error.type';

export const DB_SYSTEM_NAME = 'db.system.name';
export const DB_OPERATION_NAME = 'db.operation.name';
export const DB_COLLECTION_NAME = 'db.collection.name';

export const MCP_METHOD_NAME = 'mcp.method.name';
export const MCP_SESSION_ID = 'mcp.session.id';
export const MCP_PROTOCOL_VERSION = 'mcp.protocol.version';
export const JSONRPC_REQUEST_ID = 'jsonrpc.request.id';
export const GEN_AI_TOOL_NAME = 'gen_ai.tool.name';
export const GEN_AI_PROMPT_NAME = 'gen_ai.prompt.name';
export const GEN_AI_OPERATION_NAME = 'gen_ai.operation.name';

export const PROCESS_PID = 'process.pid';
export const PROCESS_EXIT_CODE = 'process.exit.code';
export const PROCESS_EXECUTABLE_NAME = 'process.executable.name';

/** Whether the access-token check was answered from memory (src/access-cache/). */
export const ACCESS_CACHE_HIT = 'mcp_auth_proxy.access_cache.hit';

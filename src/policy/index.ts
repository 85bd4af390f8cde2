// Access rules (issue 15): who may sign in, and who may use which server, tool, prompt and resource.
// Pure: imports nothing of ours but src/shared, so the config, the interaction and the admission
// pipeline can all use it. See DESIGN.md for the API and how it is wired.
export type {
  AccessRule,
  AccessTarget,
  ClaimScalar,
  ClaimTest,
  Condition,
  Effect,
  ItemKind,
  ItemPatterns,
  Parsed,
  RulesDocument,
  SignInRule,
} from './rule-types.ts';
export { ITEM_KINDS } from './rule-types.ts';
export { parseAccessRules, parseRulesDocument, parseSignInRules } from './parse-rules.ts';
export type { Identity, IdentityClaimNames, IdentitySources } from './identity.ts';
export { DEFAULT_GROUP_CLAIMS, DEFAULT_ROLE_CLAIMS, identityFromClaims } from './identity.ts';
export { parseStoredIdentity, serializeIdentity } from './stored-identity.ts';
export type { Allowed, Decision, Denied } from './decision.ts';
export { compileAccessPolicy } from './compile-access-policy.ts';
export type { AccessPolicy, UserAccess } from './compile-access-policy.ts';
export { compileSignInPolicy } from './compile-sign-in-policy.ts';
export type { SignInPolicy } from './compile-sign-in-policy.ts';
export { isListMethod, LIST_METHODS, namedItemOf } from './mcp-items.ts';
export type { JsonRpcId, ListMethod, NamedItem } from './mcp-items.ts';
export { listRequestsIn } from './list-requests.ts';
export type { ListRequests } from './list-requests.ts';
export { filterListMessage } from './filter-list-message.ts';
export type { FilteredMessage, ListAnswers } from './filter-list-message.ts';
export { filterListBody } from './filter-list-body.ts';
export { createSseListFilter } from './filter-list-sse.ts';
export { denialOf, denialsIn } from './check-request.ts';
export type { RequestDenial } from './check-request.ts';
export { ACCESS_DENIED_CODE, denialAnswer, denialError, denialText } from './denial-response.ts';
export type { DeniedSubject, JsonRpcErrorResponse } from './denial-response.ts';
export { explain } from './explain.ts';
export type { Explanation, ExplainQuery, PolicySet } from './explain.ts';
export { describeRule } from './describe-rule.ts';

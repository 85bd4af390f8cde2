export { bearerSecret } from './parse-bearer-secret.ts';
export { parseBoolean } from './parse-boolean.ts';
export { encryptionKey } from './parse-encryption-key.ts';
export { headerName } from './parse-header-name.ts';
export {
  MAX_TIMER_MS,
  integerInRange,
  nonNegativeMilliseconds,
  positiveInteger,
  positiveMilliseconds,
} from './parse-integer.ts';
export {
  describeJsonType,
  stringArrayJson,
  stringArrayValue,
  stringRecordJson,
  stringRecordValue,
} from './parse-json.ts';
export { listenHost } from './parse-listen-host.ts';
export {
  existingDirectory,
  identityMetadataFile,
  REQUIRED_VIEWS,
  resolvedPath,
  viewsDirectory,
} from './parse-path.ts';
export { privateJwks } from './parse-private-jwks.ts';
export { parseScopeList } from './parse-scope-list.ts';
export { scopeIncludes, scopeRules } from './parse-scope-rules.ts';
export { environmentVariableName, oneOf, parseText, urlPath } from './parse-text.ts';
export { absoluteUrl, httpOrigin, httpUrl, originList, redisUrl } from './parse-url.ts';
export { quoteValue } from './quote-value.ts';
export { redisNatMap, redisNodeList, sentinelMasterName } from './parse-redis-addresses.ts';
export { keyValueList, lenientKeyValueList } from './parse-key-value-list.ts';

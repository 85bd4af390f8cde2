export type { AccessRulesConfig, AccessRulesFile, AccessRulesSnapshot } from './access-rules-config.ts';
export { reloadAccessRules, type ReloadedRules } from './reload-access-rules.ts';
export {
  RULES_DEBOUNCE_MS,
  RULES_POLL_MS,
  watchAccessRules,
  type RulesWatch,
  type WatchOptions,
} from './watch-access-rules.ts';

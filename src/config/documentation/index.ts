export { defaultText, herokuText } from './describe-variable.ts';
export {
  HEROKU_GENERATED,
  HEROKU_MANAGED_VARIABLES,
  HEROKU_REDIS_ADDON,
  HEROKU_VALUES,
  renderAppJson,
  type AppJsonEnvEntry,
} from './render-app-json.ts';
export { renderConfigurationMarkdown } from './render-configuration-markdown.ts';
export { envFileValue, renderEnvExample } from './render-env-example.ts';
export {
  README_END_MARKER,
  README_START_MARKER,
  renderReadmeBlock,
  replaceReadmeBlock,
} from './render-readme-block.ts';

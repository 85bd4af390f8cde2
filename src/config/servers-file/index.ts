export { readServersDocument } from './read-servers-file.ts';
export type { EntryDefaults } from './entry-defaults.ts';
export type { FileReport } from './file-report.ts';
export { serversFile, structuredFile, type ServersFileDocument } from './parse-servers-file.ts';

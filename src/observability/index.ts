export { ignoreEvents, observeAll } from './events.ts';
export type { AdminAction, Observe, ObservedEvent, ObservedEventType } from './events.ts';

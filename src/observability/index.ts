export { ignoreEvents, observeAll } from './events.ts';
export type { Observe, ObservedEvent, ObservedEventType } from './events.ts';

/**
 * switchboard/worker: what a worker script imports. Runs inside a worker (module or
 * classic, through the IIFE global `SwitchboardWorker`): nothing here touches the DOM.
 */
export { exposeTasks, keep } from './expose'
export type { KeepOptions, Task, TaskCtx } from './expose'
export { isHandle } from './handle'
export type { Handle } from './handle'
export { noUpdate, PreventUpdate } from '../errors'
export type { NoUpdate } from '../errors'

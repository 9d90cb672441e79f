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
export { aggregate, AggregationError, bin, count, downsample, max, MAX_GROUPS, mean, min, sum, topK } from '../aggregate/index'
export type { AggregateResult, AggregateSpec, Measure, Table } from '../aggregate/index'

/**
 * switchboard/worker: what a worker script imports. Runs inside a worker (module or
 * classic, through the IIFE global `SwitchboardWorker`): nothing here touches the DOM.
 */

export type { AggregateResult, AggregateSpec, Measure, Table } from '../aggregate/index'
export {
  AggregationError,
  aggregate,
  bin,
  count,
  downsample,
  MAX_GROUPS,
  max,
  mean,
  min,
  sum,
  topK,
} from '../aggregate/index'
export type { NoUpdate } from '../errors'
export { noUpdate, PreventUpdate } from '../errors'
export type { KeepOptions, Task, TaskCtx } from './expose'
export { exposeTasks, keep } from './expose'
export type { Handle } from './handle'
export { isHandle } from './handle'

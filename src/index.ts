/**
 * switchboard: a browser-side reactive state store for callback graphs.
 * Every public name of the main entry, explicitly.
 */

export type {
  AggregateResult,
  AggregateSpec,
  AggregationErrorCode,
  ArrowLikeColumn,
  ArrowLikeTable,
  Bin,
  BinOptions,
  Column,
  ColumnarTable,
  DownsampleOptions,
  Measure,
  Range,
  RowTable,
  SetFilter,
  Table,
  TopKOptions,
  Where,
} from './aggregate/index'
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
} from './aggregate/index'
export type { BindOptions } from './dom/bind'
export { bind } from './dom/bind'
export type { GraphErrorCode, NoUpdate, WorkerErrorCode } from './errors'
export { CacheKeyError, CallbackError, GraphError, noUpdate, PreventUpdate, StorageError, WorkerError } from './errors'
export { createBoard } from './graph/board'
export type { IdObject, Pattern, StoreId, Wildcard } from './graph/ids'
export { ALL, ALLSMALLER, MATCH } from './graph/pattern'
export type {
  Board,
  BoardChange,
  BoardEvents,
  BoardOptions,
  CacheOptions,
  Callback,
  CallbackInfo,
  CallbackOptions,
  CallbackStatus,
  Ctx,
  FamilyInfo,
  Inspection,
  KeyedStore,
  SlotRef,
  Stats,
  Store,
  StoreInfo,
  StoreOptions,
  StoreRef,
} from './graph/types'
export type { Codec } from './storage/codec'
export type { StorageKind } from './storage/storage'
export type { Handle } from './worker/handle'
export { isHandle } from './worker/handle'
export type { PoolOptions, PoolStats, TaskRunner, Tasks, WorkerPool } from './worker/pool'

/**
 * switchboard: a browser-side reactive state store for callback graphs.
 * Every public name of the main entry, explicitly.
 */
export { createBoard } from './graph/board'
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
  Inspection,
  Stats,
  Store,
  StoreInfo,
  StoreOptions,
  StoreRef,
} from './graph/board'
export { bind } from './dom/bind'
export type { BindOptions } from './dom/bind'
export { CacheKeyError, CallbackError, GraphError, noUpdate, PreventUpdate, StorageError, WorkerError } from './errors'
export type { GraphErrorCode, NoUpdate, WorkerErrorCode } from './errors'
export { isHandle } from './worker/handle'
export type { Handle } from './worker/handle'
export type { PoolOptions, PoolStats, TaskRunner, Tasks, WorkerPool } from './worker/pool'
export type { Codec } from './storage/codec'
export type { StorageKind } from './storage/storage'
export { aggregate, AggregationError, bin, count, downsample, max, MAX_GROUPS, mean, min, sum, topK } from './aggregate/index'
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

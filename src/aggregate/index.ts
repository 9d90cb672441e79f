/**
 * Upfront aggregation: group-by, histograms, top-k and downsampling over columnar, row or
 * Arrow tables, pure and DOM-free so it runs where the data lives (a worker, by handle).
 * Only the small result needs to cross to the main thread and into the graph.
 */

export type { AggregationErrorCode } from '../errors'
export { AggregationError } from '../errors'
export type { Bin, BinOptions } from './bin'
export { bin } from './bin'
export type { AggregateResult, AggregateSpec } from './groupby'
export { aggregate } from './groupby'
export type { DownsampleOptions } from './lttb'
export { downsample } from './lttb'
export type { Measure } from './measures'
export { count, max, mean, min, sum } from './measures'
export type { ArrowLikeColumn, ArrowLikeTable, Column, ColumnarTable, RowTable, Table } from './table'
export { MAX_GROUPS } from './table'
export type { TopKOptions } from './topk'
export { topK } from './topk'
export type { Range, SetFilter, Where } from './where'

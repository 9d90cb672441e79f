/**
 * switchboard/preact: the Preact adapter. Hooks read stores and callback status; the core
 * never imports preact, so apps without it pay nothing.
 */

export { useBoardErrors } from './errors'
export type { Status, StatusOptions } from './status'
export { BoardProvider, useBoard, useStatus } from './status'
export type { SetStore } from './store'
export { useExternal, useStore, useStoreState } from './store'

/**
 * switchboard/preact: the Preact adapter. Hooks read stores and callback status; the core
 * never imports preact, so apps without it pay nothing.
 */
export { useExternal, useStore, useStoreState } from './store'
export type { SetStore } from './store'
export { BoardProvider, useBoard, useStatus } from './status'
export type { Status } from './status'
export { useBoardErrors } from './errors'

/**
 * switchboard/devtools: the dev panel. It draws a board's callback graph (laid out with
 * dagre) with live runs, timings, bytes, cache hits and where each store lives. Preact and
 * dagre load only for pages that import this entry.
 */

export type { DevPanelHandle, DevPanelProps, MountOptions } from './panel'
export { DevPanel, mountDevPanel, shortcut } from './panel'

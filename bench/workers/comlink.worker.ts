// P3's anchor for raw Comlink: the same ping through Comlink.expose, nothing of ours.
import * as Comlink from 'comlink'

Comlink.expose({ ping: (x: number) => x })

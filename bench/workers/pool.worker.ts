// P3's worker for our pool: the same tasks as the raw workers, through exposeTasks.
import { exposeTasks, keep } from '../../src/worker/index'
import { column, inc, type Kind, largest, payload, total } from './payload'

exposeTasks({
  ping: (x: number) => x,
  payload: (kind: Kind, bytes: number) => payload(kind, bytes),
  inc,
  keepColumn: (n: number) => keep(column(n)),
  column: (n: number) => column(n),
  total,
  largest,
})

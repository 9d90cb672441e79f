// P3: a worker whose life lock is never granted still answers its calls (they do not
// wait for the lock); see lock-never.ts.
import './lock-never'
import { exposeTasks } from '../../src/worker/index'

exposeTasks({ double: (x: number) => 2 * x })

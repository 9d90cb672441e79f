// Worker tasks for test/graph/pattern.browser.test.ts: pattern instances as worker runs.
import { exposeTasks, type TaskCtx } from '../../src/worker/index'

exposeTasks({
  /** A MATCH instance's run: its value, and what the worker was told triggered it. */
  cost: (q: number, ctx: TaskCtx) => ({ cost: q * 10, triggered: ctx.triggered }),
  /** An ALL summary's run: the array of every member's value. */
  total: (costs: Array<{ cost: number }>) => costs.reduce((a, c) => a + c.cost, 0),
})

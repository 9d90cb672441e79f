import { exposeTasks } from 'switchboard/worker'

exposeTasks({
  square: (w: number) => w * w,
})

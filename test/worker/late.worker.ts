/** A worker that never calls exposeTasks (F18: the start-up timeout). */
export {}

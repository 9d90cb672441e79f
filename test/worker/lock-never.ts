// Imported before switchboard/worker by lock-never.worker.ts: this worker's Web Locks
// never answer a request (as on a browser whose lock service is stuck or slow).
const locks = (navigator as { locks?: object }).locks
if (locks) Object.defineProperty(locks, 'request', { value: () => new Promise(() => {}), configurable: true })

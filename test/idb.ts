/**
 * Reading and watching a board's IndexedDB from tests, with plain IndexedDB: what another
 * tab (or the browser) would see, not what the board believes.
 */
import { nameOf } from '../src/storage/names'

/** Counts readwrite transactions on the real database, through the board's own open seam. */
export function countingOpen() {
  const counter = { readwrite: 0 }
  const open = (name: string, version: number) => {
    const req = indexedDB.open(name, version)
    req.addEventListener('success', () => {
      const db = req.result
      const tx = db.transaction.bind(db)
      db.transaction = ((stores: string | string[], mode?: IDBTransactionMode) => {
        if (mode === 'readwrite') counter.readwrite++
        return tx(stores, mode)
      }) as IDBDatabase['transaction']
    })
    return req
  }
  return { counter, open }
}

/**
 * Runs one read on an object store of board `name`'s database; undefined if there is no
 * such database or store. A missing database is not created by looking (an absence check
 * that created it would pass whatever the board did).
 */
export async function readRaw<T>(
  name: string,
  store: string,
  read: (s: IDBObjectStore) => IDBRequest<T>,
): Promise<T | undefined> {
  const db = await new Promise<IDBDatabase | undefined>((resolve, reject) => {
    const r = indexedDB.open(nameOf(name))
    // Only a database that does not exist yet needs an upgrade to open: undo it.
    r.onupgradeneeded = () => r.transaction?.abort()
    r.onsuccess = () => resolve(r.result)
    r.onerror = (e) => {
      if (r.error?.name !== 'AbortError') return reject(r.error)
      e.preventDefault()
      resolve(undefined)
    }
  })
  if (!db) return undefined
  try {
    if (!db.objectStoreNames.contains(store)) return undefined
    return await new Promise<T>((resolve, reject) => {
      const r = read(db.transaction(store).objectStore(store))
      r.onsuccess = () => resolve(r.result)
      r.onerror = () => reject(r.error)
    })
  } finally {
    db.close()
  }
}

/**
 * Edits one object store of board `name`'s existing database in one readwrite transaction,
 * as the browser (eviction) or a corrupting extension would: `edit` queues its requests.
 */
export async function editRaw(name: string, store: string, edit: (s: IDBObjectStore) => void): Promise<void> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const r = indexedDB.open(nameOf(name))
    r.onsuccess = () => resolve(r.result)
    r.onerror = () => reject(r.error)
  })
  try {
    await new Promise<void>((resolve, reject) => {
      const t = db.transaction(store, 'readwrite')
      edit(t.objectStore(store))
      t.oncomplete = () => resolve()
      t.onabort = t.onerror = () => reject(t.error)
    })
  } finally {
    db.close()
  }
}

/** Keys of one object store of board `name`'s database. */
export async function rawKeys(name: string, store: string): Promise<IDBValidKey[]> {
  return (await readRaw(name, store, (s) => s.getAllKeys())) ?? []
}

/**
 * The board's open seam over the real database, except that `put` throws what a full disk
 * throws when `refuse(store, value)` says so. The browser's own quota path (an asynchronous
 * abort) is driven for real by test/e2e/quota.spec.ts; this one is the synchronous variant.
 */
export function refusingPuts(refuse: (store: string, value: unknown) => boolean) {
  const open = (name: string, version: number) => {
    const req = indexedDB.open(name, version)
    req.addEventListener('success', () => {
      const db = req.result
      const transaction = db.transaction.bind(db)
      db.transaction = ((stores: string | string[], mode?: IDBTransactionMode) => {
        const t = transaction(stores, mode)
        const objectStore = t.objectStore.bind(t)
        t.objectStore = (n: string) => {
          const os = objectStore(n)
          const put = os.put.bind(os)
          os.put = (value: unknown, key?: IDBValidKey) => {
            if (refuse(n, value)) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError')
            return put(value, key)
          }
          return os
        }
        return t
      }) as IDBDatabase['transaction']
    })
    return req
  }
  return { open }
}

/**
 * The tests' raw IndexedDB reader (test/idb.ts) must see what is there and nothing more:
 * an absence check that created the database it looks for would pass whatever the board did.
 */
import { expect, it } from 'vitest'
import { nameOf } from '../../src/storage/names'
import { rawKeys, readRaw } from '../idb'

const listed = async (db: string) => (await indexedDB.databases()).some((d) => d.name === db)

it('readRaw of a missing database finds nothing and does not create it', async () => {
  const name = `raw-missing-${Date.now()}`
  expect(await readRaw(name, 'stores', (s) => s.getAllKeys())).toBeUndefined()
  expect(await rawKeys(name, 'stores')).toEqual([])
  expect(await listed(nameOf(name))).toBe(false)
})

it('readRaw reads an existing database', async () => {
  const name = `raw-present-${Date.now()}`
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const r = indexedDB.open(nameOf(name), 1)
    r.onupgradeneeded = () => r.result.createObjectStore('stores').put('v', 'k')
    r.onsuccess = () => resolve(r.result)
    r.onerror = () => reject(r.error)
  })
  db.close()
  expect(await readRaw(name, 'stores', (s) => s.get('k'))).toBe('v')
  expect(await rawKeys(name, 'stores')).toEqual(['k'])
  expect(await readRaw(name, 'cache', (s) => s.get('k'))).toBeUndefined()
})

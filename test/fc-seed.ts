// Runs before each test file (both projects): applies the seed vite.config.ts chose, so a
// property test replays the same draws under CI for a given commit (see fcSeed there).
import { fc } from '@fast-check/vitest'
import { inject } from 'vitest'

declare module 'vitest' {
  export interface ProvidedContext {
    fcSeed: number | null
  }
}

const seed = inject('fcSeed')
if (seed !== null) fc.configureGlobal({ ...fc.readConfigureGlobal(), seed })

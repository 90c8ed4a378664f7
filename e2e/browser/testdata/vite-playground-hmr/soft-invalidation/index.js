import { foo } from './child'

export const msg = `soft-invalidation/index.js: child is ${foo}`

// aedes-persistence-redis 11 ships no types. Its factory takes ioredis options and returns the
// persistence that aedes 1.x accepts (aedes-persistence's callback wrapper with an async setup).
declare module "aedes-persistence-redis" {
    import type { AedesOptions } from "aedes"
    export default function redisPersistence(opts?: {
        host?: string
        port?: number
    }): NonNullable<AedesOptions["persistence"]>
}

/** A value, or a promise of it: a seam that needs no I/O answers at once. */
export type MaybePromise<T> = T | Promise<T>

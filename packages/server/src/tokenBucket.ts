/**
 * A token bucket: `tokens` refill at `rate` per second up to `capacity`; taking more than there
 * are fails and takes nothing. Pure: the caller passes the time.
 */
export interface TokenBucket {
  tokens: number
  /** When `tokens` was last brought up to date, in ms. */
  at: number
}

/** A full bucket at `now`. */
export const fullBucket = (capacity: number, now: number): TokenBucket => ({ tokens: capacity, at: now })

/** Refills the bucket up to `now`; returns whether it is full. */
export function refill(bucket: TokenBucket, rate: number, capacity: number, now: number): boolean {
  if (now > bucket.at) {
    bucket.tokens = Math.min(capacity, bucket.tokens + ((now - bucket.at) * rate) / 1000)
    bucket.at = now
  }
  return bucket.tokens >= capacity
}

/** Takes `amount` tokens if there are that many (after refilling up to `now`); returns whether it did. */
export function take(bucket: TokenBucket, amount: number, rate: number, capacity: number, now: number): boolean {
  refill(bucket, rate, capacity, now)
  if (bucket.tokens < amount) return false
  bucket.tokens -= amount
  return true
}

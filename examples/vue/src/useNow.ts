import { type MaybeRefOrGetter, onScopeDispose, type Ref, ref, toValue, watchEffect } from 'vue'

/** The time, updated every `every` ms while `active`: for countdowns. */
export function useNow(active: MaybeRefOrGetter<boolean>, every = 100): Readonly<Ref<number>> {
  const now = ref(Date.now())
  let timer: ReturnType<typeof setInterval> | undefined
  const stop = () => clearInterval(timer)
  watchEffect(() => {
    stop()
    if (!toValue(active)) return
    now.value = Date.now()
    timer = setInterval(() => {
      now.value = Date.now()
    }, every)
  })
  onScopeDispose(stop)
  return now
}

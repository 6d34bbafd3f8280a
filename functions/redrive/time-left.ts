/** Milliseconds until `deadline` (epoch ms); unbounded without one. Both redrive sources stop at 0. */
export function timeLeft(deadline: number | undefined): number {
  return deadline === undefined ? Number.POSITIVE_INFINITY : deadline - Date.now();
}

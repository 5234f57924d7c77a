/**
 * The publisher's schedule, HYDRA style (send `msg_batch`, then sleep) but with every batch's due
 * time computed from the start time, so sleep overshoot does not accumulate into a lower rate.
 */

/** Messages a point should publish: rate × duration, rounded. */
export function messagesForWindow(msgRate: number, durationS: number): number {
  return Math.round(msgRate * durationS);
}

/** Number of batches needed for `total` messages. */
export function batchCount(total: number, msgBatch: number): number {
  return Math.ceil(total / msgBatch);
}

/** Size of batch `k`; the last one may be partial. */
export function batchSizeAt(k: number, total: number, msgBatch: number): number {
  return Math.max(0, Math.min(msgBatch, total - k * msgBatch));
}

/** When batch `k` is due, ms since the schedule started. */
export function batchDueMs(k: number, msgBatch: number, msgRate: number): number {
  return (k * msgBatch * 1000) / msgRate;
}

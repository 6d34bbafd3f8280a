/**
 * Athena's per-query price: bytes scanned, rounded up to the next megabyte, with a 10 MB
 * minimum, at a price per terabyte. Binary units throughout (MB = 2^20 bytes, TB = 2^40
 * bytes): Athena's pricing does not say which, AWS billing uses binary units for data
 * volumes, and with them one TB is exactly 1,048,576 MB, so the arithmetic stays exact.
 */
export const BYTES_PER_MB = 2 ** 20;
export const MB_PER_TB = 2 ** 20;
export const MINIMUM_BILLED_MB = 10;
export const DEFAULT_PRICE_PER_TB_USD = 5;

/** Megabytes billed for `scannedBytes`: rounded up, at least 10. */
export function billedMegabytes(scannedBytes: number): number {
  if (!Number.isFinite(scannedBytes) || scannedBytes < 0) {
    throw new RangeError(`scanned bytes must be a non-negative number, got ${scannedBytes}`);
  }
  return Math.max(MINIMUM_BILLED_MB, Math.ceil(scannedBytes / BYTES_PER_MB));
}

/** Estimated USD for one query that scanned `scannedBytes`, at `pricePerTbUsd`. */
export function estimateScanCostUsd(scannedBytes: number, pricePerTbUsd = DEFAULT_PRICE_PER_TB_USD): number {
  return (billedMegabytes(scannedBytes) * pricePerTbUsd) / MB_PER_TB;
}

/** What decides whether a query is billed at all. */
export interface BillableQuery {
  readonly state?: string;
  readonly statementType?: string;
  readonly scannedBytes?: number;
  readonly resultReused?: boolean;
}

/**
 * The estimated cost of a finished query, or undefined when it cannot be known yet.
 * Athena does not bill failed queries or DDL statements; a query answered from the result
 * cache runs nothing and scans nothing. Cancelled queries pay for what they scanned.
 */
export function estimateQueryCostUsd(query: BillableQuery, pricePerTbUsd = DEFAULT_PRICE_PER_TB_USD): number | undefined {
  if (query.state === 'FAILED') return 0;
  if (query.state !== 'SUCCEEDED' && query.state !== 'CANCELLED') return undefined;
  if (query.statementType === 'DDL' || query.resultReused === true) return 0;
  if (query.scannedBytes === undefined) return undefined;
  return estimateScanCostUsd(query.scannedBytes, pricePerTbUsd);
}

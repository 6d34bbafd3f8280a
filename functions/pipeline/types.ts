/** A document's body: JSON-shaped fields, whatever parser or sink made them. */
export type DocumentSource = { [key: string]: unknown };

/** One CloudWatch Logs event as a subscription delivers it. */
export interface LogEvent {
  /** 56-digit decimal string: exceeds 2^53, so it stays a string. */
  readonly id: string;
  /** Epoch milliseconds. */
  readonly timestamp: number;
  readonly message: string;
}

/** A decoded CloudWatch Logs subscription payload (one log stream). */
export interface LogBatch {
  readonly messageType: 'DATA_MESSAGE' | 'CONTROL_MESSAGE';
  readonly owner: string;
  readonly logGroup: string;
  readonly logStream: string;
  readonly subscriptionFilters: readonly string[];
  readonly logEvents: readonly LogEvent[];
}

/** One document ready for a sink: written with `op_type: create` under `id`. */
export interface LogDocument {
  readonly index: string;
  readonly id: string;
  /** `event.dataset` of the document, for metrics. */
  readonly dataset: string;
  readonly source: DocumentSource;
  /**
   * `JSON.stringify(source)`, when the document can write it without building `source`
   * (a log event's document); the bulk encoder stringifies `source` otherwise.
   */
  sourceJson?(): string;
}

/**
 * The pipeline's errors. Throw only for what the caller must retry or a person must
 * fix; an unreadable message is a parse result, not an exception.
 */
export class PipelineError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export const DECODE_STEPS = ['base64', 'gzip', 'size', 'json', 'shape'] as const;
export type DecodeStep = (typeof DECODE_STEPS)[number];

/** A batch that cannot be decoded; `step` names the stage that broke. */
export class DecodeError extends PipelineError {
  constructor(
    readonly step: DecodeStep,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`cannot decode batch (${step}): ${message}`, options);
  }
}

/** Configuration that cannot work; `variable` names the setting to fix. */
export class ConfigError extends PipelineError {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
  }
}

/** Documents are still not indexed after retries: the invocation must fail so it is retried. */
export class SinkError extends PipelineError {
  constructor(
    message: string,
    readonly unindexed: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The cluster refuses writes (flood-stage disk watermark): fail fast, alarm, do not retry forever. */
export class ClusterBlockedError extends SinkError {}

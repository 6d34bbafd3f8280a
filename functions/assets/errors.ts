import { PipelineError } from '../pipeline/errors';

/** A data file in `dashboards/` is missing, unreadable or uses an unknown placeholder. */
export class AssetDataError extends PipelineError {
  constructor(
    readonly file: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}: ${message}`, options);
  }
}

/** One or more assets could not be applied; `summary` lists them. */
export class AssetsApplyError extends PipelineError {
  constructor(
    message: string,
    readonly failed: number,
  ) {
    super(message);
  }
}

/** A call to OpenSearch Dashboards failed (HTTP status, or a refused import). */
export class DashboardsError extends PipelineError {
  constructor(
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Another `assets apply` holds the apply lock (or the lock could not be taken at all). */
export class AssetsLockedError extends PipelineError {
  constructor(
    message: string,
    /** The holder, when the lock is held by another apply. */
    readonly held?: { readonly holder: string; readonly acquiredAt: string; readonly expiresAt: string },
  ) {
    super(message);
  }
}

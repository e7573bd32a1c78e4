/**
 * The SCIM Error message (RFC 7644 section 3.12, RFC 9865 for cursors). Only valid status/scimType
 * pairs can be built.
 */
import { RETRY_AFTER_SECONDS } from '../limits';

export const SCIM_ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** scimType values; every one of them goes with 400, except `uniqueness` (409). */
export type ScimType =
  | 'invalidFilter'
  | 'tooMany'
  | 'uniqueness'
  | 'mutability'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'invalidVers'
  | 'sensitive'
  | 'invalidCursor'
  | 'expiredCursor';

/** Statuses that carry no scimType. */
export type PlainStatus = 304 | 400 | 401 | 403 | 404 | 405 | 409 | 412 | 413 | 415 | 429 | 500 | 501 | 503;

export interface ScimErrorBody {
  schemas: [typeof SCIM_ERROR_SCHEMA];
  status: string;
  scimType?: ScimType;
  detail?: string;
}

export class ScimError extends Error {
  override readonly name = 'ScimError';
  readonly status: number;
  readonly scimType: ScimType | undefined;
  /** Extra response headers, e.g. `Allow` on 405. */
  readonly headers: Readonly<Record<string, string>>;

  private constructor(
    status: number,
    scimType: ScimType | undefined,
    detail: string,
    options?: { cause?: unknown; headers?: Record<string, string> },
  ) {
    super(detail, options?.cause === undefined ? undefined : { cause: options.cause });
    this.status = status;
    this.scimType = scimType;
    this.headers = options?.headers ?? {};
  }

  static of(status: PlainStatus, detail: string, options?: { cause?: unknown; headers?: Record<string, string> }): ScimError {
    return new ScimError(status, undefined, detail, options);
  }

  static typed(scimType: ScimType, detail: string, options?: { cause?: unknown }): ScimError {
    return new ScimError(scimType === 'uniqueness' ? 409 : 400, scimType, detail, options);
  }

  /**
   * 503 with Retry-After: the resource kept changing under the write (other clients wrote it each
   * time). Identity providers retry a 503 after the delay; it never reads like a uniqueness conflict.
   */
  static busy(detail: string, options?: { cause?: unknown }): ScimError {
    return new ScimError(503, undefined, detail, { ...options, headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) } });
  }

  toBody(): ScimErrorBody {
    return scimErrorBody(this.status, this.message, this.scimType);
  }
}

export function scimErrorBody(status: number, detail: string, scimType?: ScimType): ScimErrorBody {
  return {
    schemas: [SCIM_ERROR_SCHEMA],
    status: String(status),
    ...(scimType ? { scimType } : {}),
    detail,
  };
}

/** RFC 9457 problem details for the admin API. */
export class ProblemError extends Error {
  override readonly name = 'ProblemError';

  constructor(
    readonly status: number,
    readonly title: string,
    detail: string,
    readonly headers: Readonly<Record<string, string>> = {},
    options?: { cause?: unknown },
  ) {
    super(detail, options);
  }

  static badRequest(detail: string): ProblemError {
    return new ProblemError(400, 'Bad Request', detail);
  }
  static forbidden(detail: string): ProblemError {
    return new ProblemError(403, 'Forbidden', detail);
  }
  static notFound(detail: string): ProblemError {
    return new ProblemError(404, 'Not Found', detail);
  }
  static conflict(detail: string, options?: { cause?: unknown }): ProblemError {
    return new ProblemError(409, 'Conflict', detail, {}, options);
  }
  /** A write that lost every race: nothing was written, and the client may retry after a moment. */
  static busy(detail: string): ProblemError {
    return new ProblemError(503, 'Service Unavailable', detail, { 'Retry-After': '1' });
  }
}

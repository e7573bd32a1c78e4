/** SNS topic for expiry warnings; unset in the local stack, where the log line is the report. */
export const EXPIRY_TOPIC_ENV = 'EXPIRY_TOPIC_ARN';
/** Days an Expired token stays visible before TTL removes it (default 90). */
export const RETENTION_DAYS_ENV = 'TOKEN_RETENTION_DAYS';

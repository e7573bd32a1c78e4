import { Logger } from '@aws-lambda-powertools/logger';

/**
 * One logger for every function. Never log events, tokens, Authorization headers or SCIM
 * payloads: they carry secrets and personal data. Log ids and outcomes.
 */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'scim-provisioning' });

/** The narrow logger type adapters take, so tests can pass their own. */
export interface LogSink {
  info(message: string, extra: Record<string, unknown>): void;
  warn(message: string, extra: Record<string, unknown>): void;
  error(message: string, extra: Record<string, unknown>): void;
}

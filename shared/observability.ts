import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/**
 * Logs and metrics of every function: one Powertools Logger and one Metrics (CloudWatch embedded
 * metric format), both named by POWERTOOLS_SERVICE_NAME (the stack sets it to the stack's name, so
 * two stacks in one account keep their metrics apart). Never log or measure events, tokens,
 * Authorization headers, passwords or SCIM payloads: they carry secrets and personal data. Log
 * ids and outcomes; metric dimensions are fixed vocabularies (operation names, refusal reasons).
 */
export const SERVICE_NAME_ENV = 'POWERTOOLS_SERVICE_NAME';
export const DEFAULT_SERVICE_NAME = 'scim-provisioning';
/** The CloudWatch namespace of the custom metrics (the monitoring construct alarms on it). */
export const METRICS_NAMESPACE = 'ScimProvisioning';

/**
 * The custom metrics, one definition for the functions that emit them and the alarms and
 * dashboard that read them (infra/constructs/monitoring.ts).
 */
export const METRIC = {
  /** One per SCIM request; dimensions `operation` (the route table's name) and `outcome`. */
  scimRequests: 'ScimRequests',
  /** One per refused SCIM authentication; dimension `reason`. */
  authRefusals: 'AuthRefusals',
  /** One per token endpoint request; dimension `outcome` (issued, or the RFC 6749 error code). */
  tokenRequests: 'TokenRequests',
  /** A write that lost a race with another (retried, or 412 with If-Match); dimension `resourceType`. */
  writeConflicts: 'WriteConflicts',
  /** Deleted users and groups whose memberships were still to remove or to check when the cleanup job ran. */
  cleanupBacklog: 'MembershipCleanupBacklog',
  /** Memberships the cleanup job removed in a run. */
  cleanupRemoved: 'MembershipsRemoved',
  /** Active tokens that expire within 30 days, and within 7 days (gauges, each token-expiry run). */
  tokensExpiring30: 'TokensExpiringWithin30Days',
  tokensExpiring7: 'TokensExpiringWithin7Days',
  /** Change events dispatched (logged, put on the bus, queued for webhooks). */
  changeEvents: 'ChangeEvents',
  /** A stream batch left (in part) to a retry: the log, the bus or the queue refused. */
  eventDispatchFailures: 'EventDispatchFailures',
  /** Webhook delivery attempts; dimension `outcome` (delivered, retry, failed). */
  webhookDeliveries: 'WebhookDeliveries',
} as const;

export type MetricName = (typeof METRIC)[keyof typeof METRIC];

/** The outcome dimension of a request, from its status code. */
export type Outcome = 'success' | 'clientError' | 'serverError';
export const outcomeOf = (status: number): Outcome => (status >= 500 ? 'serverError' : status >= 400 ? 'clientError' : 'success');

const serviceName = process.env[SERVICE_NAME_ENV] ?? DEFAULT_SERVICE_NAME;

export const logger = new Logger({ serviceName });
export const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName });

/** The narrow logger type adapters take, so tests can pass their own. */
export interface LogSink {
  info(message: string, extra: Record<string, unknown>): void;
  warn(message: string, extra: Record<string, unknown>): void;
  error(message: string, extra: Record<string, unknown>): void;
}

/** The narrow metrics type domain code and middlewares take (the Powertools instance, or a test's own). */
export interface MetricSink {
  /** Adds `value` to a count; `dimensions` make it a series of its own. */
  count(name: MetricName, dimensions?: Record<string, string>, value?: number): void;
  /** Records a level (a backlog, a number of tokens). */
  gauge(name: MetricName, value: number): void;
}

/**
 * A MetricSink on a Powertools Metrics. Each metric is written as an EMF line of its own when it
 * is recorded (a single-metric instance), not stored for a flush at the end of the invocation: so
 * dimensions of one request can never mix with another's (the local gateway runs concurrent
 * requests through one module), and an invocation that records nothing prints nothing.
 */
export function metricSink(target: Metrics = metrics): MetricSink {
  return {
    count(name, dimensions, value = 1) {
      const single = target.singleMetric();
      if (dimensions && Object.keys(dimensions).length > 0) single.addDimensions(dimensions);
      single.addMetric(name, MetricUnit.Count, value);
    },
    gauge(name, value) {
      target.singleMetric().addMetric(name, MetricUnit.Count, value);
    },
  };
}

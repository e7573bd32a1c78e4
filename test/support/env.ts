// Quiet logs in tests; the functions still log warnings and errors.
process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
// Embedded-metric lines are CloudWatch's; tests that check them switch them on in their own process.
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.AWS_REGION ??= 'local';
process.env.CDK_DISABLE_CLI_TELEMETRY = 'true';

// Quiet logs in tests; the functions still log warnings and errors.
process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
process.env.AWS_REGION ??= 'local';
process.env.CDK_DISABLE_CLI_TELEMETRY = 'true';
// The machines run Node.js 20 (the brief); the SDK's notice about Node.js 22 is known and noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

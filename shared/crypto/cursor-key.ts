/**
 * Where the per-deployment key that seals cursors comes from. In AWS: a Secrets Manager secret
 * the stack generates (its ARN in this variable), read through the AWS Parameters and Secrets
 * Lambda extension. Locally and in tests: unset, and a random key per process.
 */
export const CURSOR_SECRET_ENV = 'CURSOR_SECRET_ARN';

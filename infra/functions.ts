/**
 * The Lambda functions: where each entry lives and exactly which table actions it may use.
 * The CDK stack grants these actions and nothing more; the local stack loads the same entries.
 */
export type TableAction =
  | 'dynamodb:GetItem'
  | 'dynamodb:BatchGetItem'
  | 'dynamodb:Query'
  | 'dynamodb:PutItem'
  | 'dynamodb:UpdateItem'
  | 'dynamodb:DeleteItem'
  | 'dynamodb:BatchWriteItem'
  | 'dynamodb:ConditionCheckItem';

export interface FunctionSpec {
  /** Path of the handler module from the project root; it exports `handler`. */
  readonly entry: string;
  readonly description: string;
  readonly tableActions: readonly TableAction[];
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
}

export const FUNCTIONS = {
  scim: {
    entry: 'functions/scim/handler.ts',
    description: 'SCIM 2.0 service provider (/api/scim/v2)',
    // Get/Query: resources, lookups, counters, list markers; Put/Update/Delete: resources, uniqueness
    // guards, counters, audit events and markers, in transactions.
    tableActions: [
      'dynamodb:GetItem',
      'dynamodb:BatchGetItem',
      'dynamodb:Query',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'dynamodb:BatchWriteItem',
      'dynamodb:ConditionCheckItem',
    ],
    memoryMb: 1024,
    timeoutSeconds: 29,
  },
  scimAuthorizer: {
    entry: 'functions/scim-authorizer/handler.ts',
    description: 'Validates SCIM bearer tokens',
    // GetItem: the token; UpdateItem: lastUsedAt; PutItem: audit events of refusals.
    tableActions: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:PutItem'],
    memoryMb: 512,
    timeoutSeconds: 10,
  },
  admin: {
    entry: 'functions/admin/handler.ts',
    description: 'Provisioning admin API (/api/admin/v1)',
    // Query: tokens, audit pages; Get/Put/Update/Delete: settings, tokens and audit events in transactions.
    tableActions: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
    memoryMb: 512,
    timeoutSeconds: 29,
  },
  membershipCleanup: {
    entry: 'functions/membership-cleanup/handler.ts',
    description: 'Removes the memberships of deleted users and groups in the background',
    // Query: pending marks, memberships; BatchWrite/Delete/Update: membership items and counters.
    tableActions: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:BatchWriteItem', 'dynamodb:DeleteItem', 'dynamodb:UpdateItem'],
    memoryMb: 512,
    timeoutSeconds: 300,
  },
  tokenExpiry: {
    entry: 'functions/token-expiry/handler.ts',
    description: 'Marks expired SCIM tokens Expired and warns before expiry',
    tableActions: ['dynamodb:Query', 'dynamodb:UpdateItem'],
    memoryMb: 256,
    timeoutSeconds: 60,
  },
} as const satisfies Record<string, FunctionSpec>;

export type FunctionKey = keyof typeof FUNCTIONS;

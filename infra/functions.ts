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
    // Grows with the SCIM resources; today it serves only discovery, which reads nothing.
    tableActions: [],
    memoryMb: 1024,
    timeoutSeconds: 29,
  },
  scimAuthorizer: {
    entry: 'functions/scim-authorizer/handler.ts',
    description: 'Validates SCIM bearer tokens',
    tableActions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
    memoryMb: 512,
    timeoutSeconds: 10,
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

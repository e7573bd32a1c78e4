import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Key, KeySpec, KeyUsage } from 'aws-cdk-lib/aws-kms';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { SIGNING_KEY_ID_ENV } from '../../shared/crypto/signing-key';
import { MAX_ACCESS_TOKEN_SECONDS } from '../../shared/tokens/access-token';

const MAX_TOKEN_HOURS = MAX_ACCESS_TOKEN_SECONDS / 3600;

/**
 * The key that signs the token endpoint's access tokens (ES256 JWTs, shared/tokens/access-token.ts):
 * an asymmetric AWS KMS key, ECC_NIST_P256 for signing and verifying, whose private half never
 * leaves KMS. The token function may only sign with it (kms:Sign), the SCIM authorizer may only
 * read its public key (kms:GetPublicKey, once per cold start, then it verifies locally); each gets
 * the key's ARN in SIGNING_KEY_ID_ENV. No other role is granted anything on it.
 *
 * It costs $1 a month, and $0.15 per 10,000 requests (about one Sign per client and hour).
 */
export class SigningKey extends Construct {
  readonly key: Key;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.key = new Key(this, 'Key', {
      description: 'Signs the OAuth 2.0 access tokens of the SCIM token endpoint (ES256)',
      keySpec: KeySpec.ECC_NIST_P256,
      keyUsage: KeyUsage.SIGN_VERIFY,
      // Destroyed with the stack (after KMS's shortest waiting period, in which a deletion can still
      // be cancelled), and when CloudFormation replaces it: nothing is encrypted with it, and what
      // it signed lives at most the longest access token lifetime; without the stack nothing
      // verifies those tokens. A retained key would cost $1 a month and verify nothing.
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    Validations.of(this.key).acknowledge({
      id: 'AwsSolutions-KMS5',
      reason: `An asymmetric signing key: KMS rotates only symmetric keys automatically (it cannot for ECC_NIST_P256). To rotate, deploy a new key (change this construct's id): both functions get the new key's ARN and start afresh, so access tokens signed by the old key are refused at most ${MAX_TOKEN_HOURS} hours (the longest lifetime) before they would have expired, and clients ask the token endpoint for new ones with the same client secret. Nothing is encrypted with the key.`,
    });
  }

  /** Lets a function sign with the key: its ARN in SIGNING_KEY_ID_ENV, kms:Sign on it alone. */
  grantSign(fn: LambdaFunction): void {
    this.grant(fn, 'kms:Sign');
  }

  /** Lets a function read the key's public half to verify signatures: its ARN, kms:GetPublicKey on it alone. */
  grantPublicKey(fn: LambdaFunction): void {
    this.grant(fn, 'kms:GetPublicKey');
  }

  private grant(fn: LambdaFunction, action: 'kms:Sign' | 'kms:GetPublicKey'): void {
    fn.addEnvironment(SIGNING_KEY_ID_ENV, this.key.keyArn);
    fn.addToRolePolicy(new PolicyStatement({ actions: [action], resources: [this.key.keyArn] }));
  }
}

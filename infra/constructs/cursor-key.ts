import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import {
  ParamsAndSecretsLayerVersion,
  ParamsAndSecretsLogLevel,
  ParamsAndSecretsVersions,
  type Function as LambdaFunction,
} from 'aws-cdk-lib/aws-lambda';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { CURSOR_SECRET_ENV } from '../../shared/crypto/cursor-key';

/**
 * The per-deployment key that seals list cursors: a secret the stack generates (64 random letters
 * and digits, about 380 bits), read by the functions that issue and check cursors through the AWS
 * Parameters and Secrets Lambda Extension (a localhost HTTP endpoint with a cache), so no Secrets
 * Manager client is bundled. Only the readers get the secret's ARN and GetSecretValue on it.
 */
export class CursorKey extends Construct {
  readonly secret: Secret;
  /** The extension layer (arm64 or x86 chosen per function) and its settings, for each reader. */
  readonly extension: ParamsAndSecretsLayerVersion;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.secret = new Secret(this, 'Secret', {
      description: 'Seals SCIM list cursors (RFC 9865); one per deployment',
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false, requireEachIncludedType: true },
      // Nothing outlives the key but the cursors it sealed, and they expire within an hour.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Not a credential: a random key that seals list cursors, which expire after an hour (cursorTimeout). Rotating it would only invalidate the cursors still open; nothing outside this stack knows it, so there is nothing a rotation would revoke.',
    });
    // The newest extension version this aws-cdk-lib knows; warnings only, so its lines stay out of the logs.
    this.extension = ParamsAndSecretsLayerVersion.fromVersion(ParamsAndSecretsVersions.V1_0_103, {
      logLevel: ParamsAndSecretsLogLevel.WARN,
    });
  }

  /** Lets a function (run with `extension`) read the key: its ARN in CURSOR_SECRET_ENV, GetSecretValue on it alone. */
  grantRead(fn: LambdaFunction): void {
    fn.addEnvironment(CURSOR_SECRET_ENV, this.secret.secretArn);
    fn.addToRolePolicy(new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [this.secret.secretArn] }));
  }
}

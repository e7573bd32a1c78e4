import { CfnOutput, Duration, RemovalPolicy } from 'aws-cdk-lib';
import { CognitoUserPoolsAuthorizer } from 'aws-cdk-lib/aws-apigateway';
import { AccountRecovery, CfnUserPoolGroup, Mfa, UserPool, UserPoolClient } from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { checkGroupName } from '../../shared/tokens/roles';

export interface AdminIdentityProps {
  /** Cognito group names of the two admin roles. */
  ownerGroup: string;
  systemAdminGroup: string;
}

/**
 * Admin sign-in: a Cognito user pool (no self sign-up) with one group per admin role, an app
 * client for the admin console and scripts, and the REST API authorizer that checks its ID
 * tokens. The organisation's own OIDC or SAML identity provider can be federated into the pool.
 */
export class AdminIdentity extends Construct {
  readonly userPool: UserPool;
  readonly client: UserPoolClient;
  readonly authorizer: CognitoUserPoolsAuthorizer;
  readonly roles: string[];

  constructor(scope: Construct, id: string, props: AdminIdentityProps) {
    super(scope, id);
    this.userPool = new UserPool(this, 'UserPool', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      mfa: Mfa.OPTIONAL,
      mfaSecondFactor: { sms: false, otp: true },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      passwordPolicy: { minLength: 12, requireSymbols: false },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // A group name with a separator could be faked by a flattened claim: refused at synth.
    this.roles = [checkGroupName(props.ownerGroup), checkGroupName(props.systemAdminGroup)];
    for (const [key, name, description] of [
      ['Owner', props.ownerGroup, 'Owners: may manage provisioning and SCIM tokens'],
      ['SystemAdmin', props.systemAdminGroup, 'System administrators: may manage provisioning and SCIM tokens'],
    ] as const) {
      new CfnUserPoolGroup(this, `${key}Group`, { userPoolId: this.userPool.userPoolId, groupName: name, description });
    }
    this.client = this.userPool.addClient('AdminClient', {
      authFlows: { userSrp: true, userPassword: true },
      generateSecret: false,
      idTokenValidity: Duration.hours(1),
      preventUserExistenceErrors: true,
    });
    this.authorizer = new CognitoUserPoolsAuthorizer(this, 'Authorizer', {
      cognitoUserPools: [this.userPool],
      identitySource: 'method.request.header.Authorization',
      resultsCacheTtl: Duration.seconds(0),
    });
    new CfnOutput(scope, 'AdminUserPoolId', { value: this.userPool.userPoolId });
    new CfnOutput(scope, 'AdminUserPoolClientId', { value: this.client.userPoolClientId });
  }
}

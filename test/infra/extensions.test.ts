import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cdkApp } from '../support/cdk-app';
import { Template } from 'aws-cdk-lib/assertions';
import { FUNCTIONS } from '../../infra/functions';
import { DEFAULT_CONFIG, ScimProvisioningStack } from '../../infra/stacks/scim-provisioning-stack';

const config = JSON.stringify({
  extensions: [
    {
      resourceTypes: ['User'],
      schema: {
        id: 'urn:example:params:scim:schemas:extension:acme:2.0:Badge',
        name: 'Badge',
        attributes: [{ name: 'badgeNumber', type: 'string' }],
      },
    },
  ],
});

describe('custom SCIM extensions from a configuration file', () => {
  it("are built into the bundles of both functions that serve users and groups (SCIM, and the admin API's views)", () => {
    const app = cdkApp('test-extensions');
    const stack = new ScimProvisioningStack(app, 'ExtTest', { ...DEFAULT_CONFIG, scimExtensionsJson: config });
    const resources = Template.fromStack(stack).toJSON().Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>;
    const dir = app.synth().directory;
    for (const key of ['scim', 'admin', 'tokenExpiry'] as const) {
      const fn = Object.values(resources).find(
        (r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Description === FUNCTIONS[key].description,
      );
      const asset = (fn?.Properties.Code as { S3Key: string }).S3Key.replace(/\.zip$/, '');
      const code = readFileSync(join(dir, `asset.${asset}`, 'index.js'), 'utf8');
      // (The token-expiry job serves no resource: it has no schemas at all.)
      expect([key, code.includes('urn:example:params:scim:schemas:extension:acme:2.0:Badge')]).toEqual([key, key !== 'tokenExpiry']);
    }
  });

  it('fail the synthesis when the configuration is invalid', () => {
    const app = cdkApp('test-extensions-bad');
    const bad = JSON.stringify({ extensions: [{ resourceTypes: ['User'], schema: { id: 'not-a-urn', name: 'x', attributes: [] } }] });
    expect(() => new ScimProvisioningStack(app, 'BadExt', { ...DEFAULT_CONFIG, scimExtensionsJson: bad })).toThrow(/URN/);
  });
});

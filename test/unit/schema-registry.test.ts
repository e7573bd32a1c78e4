import { buildRegistry, extensionsFromConfig, resolveAttribute } from '../../shared/scim/schemas/registry';

describe('schema registry', () => {
  const registry = buildRegistry();

  it('gives users the enterprise extension and the configured example extension', () => {
    expect(registry.user.resourceType.schemaExtensions).toEqual([
      { schema: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User', required: false },
      { schema: 'urn:ietf:params:scim:schemas:extension:example:2.0:Profile', required: false },
    ]);
    expect(registry.schemas.map((s) => s.name)).toEqual(['User', 'Group', 'EnterpriseUser', 'ProfileExtension']);
  });

  it('resolves names case-insensitively, URN-qualified, and unqualified extension names', () => {
    expect(resolveAttribute(registry.user, { name: 'USERNAME' })?.attribute.name).toBe('userName');
    expect(resolveAttribute(registry.user, { name: 'name', sub: 'GIVENNAME' })?.subAttribute?.name).toBe('givenName');
    const manager = resolveAttribute(registry.user, {
      uri: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:user',
      name: 'manager',
      sub: 'value',
    });
    expect(manager).toMatchObject({ inExtension: true, subAttribute: { name: 'value' } });
    expect(resolveAttribute(registry.user, { name: 'department' })?.schema.name).toBe('EnterpriseUser');
    expect(resolveAttribute(registry.user, { name: 'mobilePhone' })?.schema.name).toBe('ProfileExtension');
    expect(resolveAttribute(registry.user, { name: 'nope' })).toBeUndefined();
  });

  it('takes RFC defaults for what a configured attribute leaves out, and refuses bad configuration', () => {
    const [ext] = extensionsFromConfig({
      extensions: [
        { resourceTypes: ['Group'], schema: { id: 'urn:x:Group', name: 'G', attributes: [{ name: 'costCode', type: 'string' }] } },
      ],
    });
    expect(ext?.schema.attributes[0]).toMatchObject({ mutability: 'readWrite', returned: 'default', caseExact: false, multiValued: false });
    expect(buildRegistry(ext ? [ext] : []).group.extensions.map((e) => e.id)).toEqual(['urn:x:Group']);
    expect(() => extensionsFromConfig({ extensions: [{ resourceTypes: [], schema: { id: 'x', name: 'x', attributes: [] } }] })).toThrow(
      'URN',
    );
    expect(() =>
      extensionsFromConfig({
        extensions: [{ resourceTypes: [], schema: { id: 'urn:x', name: 'x', attributes: [{ name: 'a', type: 'complex' }] } }],
      }),
    ).toThrow('subAttributes');
  });
});

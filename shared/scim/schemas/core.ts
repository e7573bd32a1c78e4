/**
 * The core schemas of RFC 7643: User (section 4.1), Group (section 4.2), the Enterprise User
 * extension (section 4.3) and the common attributes (section 3.1). These definitions drive
 * validation, mutability, returned, caseExact and uniqueness rules, filters and /Schemas.
 */
import { MAX_MEMBERS_RETURNED } from '../limits';
import { attr, complex, type AttributeDefinition, type SchemaDefinition } from './types';

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/** id, externalId and meta: on every resource (RFC 7643 section 3.1). */
export const COMMON_ATTRIBUTES: readonly AttributeDefinition[] = [
  attr('id', 'string', {
    description: 'Unique identifier of the resource, assigned by the service provider.',
    caseExact: true,
    mutability: 'readOnly',
    returned: 'always',
    uniqueness: 'server',
  }),
  attr('externalId', 'string', {
    description: 'Identifier of the resource as defined by the provisioning client.',
    caseExact: true,
  }),
  complex(
    'meta',
    [
      attr('resourceType', 'string', { description: 'Name of the resource type.', caseExact: true, mutability: 'readOnly' }),
      attr('created', 'dateTime', { description: 'When the resource was added.', mutability: 'readOnly' }),
      attr('lastModified', 'dateTime', { description: 'When the resource was last changed.', mutability: 'readOnly' }),
      attr('location', 'reference', {
        description: 'URI of the resource.',
        caseExact: true,
        mutability: 'readOnly',
        referenceTypes: ['uri'],
      }),
      attr('version', 'string', { description: 'Version of the resource (its ETag).', caseExact: true, mutability: 'readOnly' }),
    ],
    { description: 'Resource metadata.', mutability: 'readOnly' },
  ),
];

const typedValue = (
  name: string,
  description: string,
  valueType: 'string' | 'reference' | 'binary',
  types: string[],
  options: { referenceTypes?: string[] } = {},
): AttributeDefinition =>
  complex(
    name,
    [
      attr('value', valueType, { description: `The value of the ${name} entry.`, ...options }),
      attr('display', 'string', { description: 'A human-readable name, primarily used for display purposes.' }),
      attr('type', 'string', { description: "A label indicating the attribute's function.", canonicalValues: types }),
      attr('primary', 'boolean', { description: 'Indicates the primary value; only one entry may be primary.' }),
    ],
    { description, multiValued: true },
  );

export const USER: SchemaDefinition = {
  id: USER_SCHEMA,
  name: 'User',
  description: 'User Account',
  attributes: [
    attr('userName', 'string', {
      description: 'Unique identifier for the User, used by the user to authenticate.',
      required: true,
      uniqueness: 'server',
    }),
    complex(
      'name',
      [
        attr('formatted', 'string', { description: 'The full name, formatted for display.' }),
        attr('familyName', 'string', { description: 'The family name of the User.' }),
        attr('givenName', 'string', { description: 'The given name of the User.' }),
        attr('middleName', 'string', { description: 'The middle name(s) of the User.' }),
        attr('honorificPrefix', 'string', { description: 'The honorific prefix(es) of the User.' }),
        attr('honorificSuffix', 'string', { description: 'The honorific suffix(es) of the User.' }),
      ],
      { description: "The components of the user's real name." },
    ),
    attr('displayName', 'string', { description: 'The name of the User, suitable for display to end-users.' }),
    attr('nickName', 'string', { description: 'The casual way to address the user.' }),
    attr('profileUrl', 'reference', { description: "A fully qualified URL pointing to the User's online profile." }),
    attr('title', 'string', { description: 'The user\'s title, such as "Vice President".' }),
    attr('userType', 'string', { description: 'The relationship between the organization and the user.' }),
    attr('preferredLanguage', 'string', { description: "The User's preferred written or spoken language." }),
    attr('locale', 'string', { description: "The User's default location for localization." }),
    attr('timezone', 'string', { description: "The User's time zone in the Olson format." }),
    attr('active', 'boolean', { description: "The User's administrative status." }),
    attr('password', 'string', {
      description: "The User's cleartext password, write-only: never returned, stored only as a salted hash.",
      caseExact: true,
      mutability: 'writeOnly',
      returned: 'never',
    }),
    typedValue('emails', 'Email addresses for the user.', 'string', ['work', 'home', 'other']),
    typedValue('phoneNumbers', 'Phone numbers for the User.', 'string', ['work', 'home', 'mobile', 'fax', 'pager', 'other']),
    typedValue('ims', 'Instant messaging addresses for the User.', 'string', [
      'aim',
      'gtalk',
      'icq',
      'xmpp',
      'msn',
      'skype',
      'qq',
      'yahoo',
    ]),
    typedValue('photos', 'URLs of photos of the User.', 'reference', ['photo', 'thumbnail'], { referenceTypes: ['external'] }),
    complex(
      'addresses',
      [
        attr('formatted', 'string', { description: 'The full mailing address, formatted for display.' }),
        attr('streetAddress', 'string', { description: 'The full street address component.' }),
        attr('locality', 'string', { description: 'The city or locality component.' }),
        attr('region', 'string', { description: 'The state or region component.' }),
        attr('postalCode', 'string', { description: 'The zip code or postal code component.' }),
        attr('country', 'string', { description: 'The country name component.' }),
        attr('type', 'string', { description: "A label indicating the attribute's function.", canonicalValues: ['work', 'home', 'other'] }),
        attr('primary', 'boolean', { description: 'Indicates the primary address.' }),
      ],
      { description: 'A physical mailing address for this User.', multiValued: true },
    ),
    complex(
      'groups',
      [
        attr('value', 'string', { description: "The identifier of the User's group.", mutability: 'readOnly' }),
        attr('$ref', 'reference', { description: 'The URI of the Group.', mutability: 'readOnly', referenceTypes: ['User', 'Group'] }),
        attr('display', 'string', { description: 'The display name of the group.', mutability: 'readOnly' }),
        attr('type', 'string', {
          description: 'How the membership was derived: direct or indirect (through a nested group).',
          mutability: 'readOnly',
          canonicalValues: ['direct', 'indirect'],
        }),
      ],
      { description: 'The groups the user belongs to, derived from group memberships.', multiValued: true, mutability: 'readOnly' },
    ),
    typedValue('entitlements', 'A list of entitlements for the User.', 'string', []),
    typedValue('roles', 'A list of roles for the User.', 'string', []),
    typedValue('x509Certificates', 'A list of certificates issued to the User.', 'binary', []),
  ],
};

export const ENTERPRISE_USER: SchemaDefinition = {
  id: ENTERPRISE_USER_SCHEMA,
  name: 'EnterpriseUser',
  description: 'Enterprise User',
  attributes: [
    attr('employeeNumber', 'string', { description: 'Numeric or alphanumeric identifier assigned to a person.' }),
    attr('costCenter', 'string', { description: 'Identifies the name of a cost center.' }),
    attr('organization', 'string', { description: 'Identifies the name of an organization.' }),
    attr('division', 'string', { description: 'Identifies the name of a division.' }),
    attr('department', 'string', { description: 'Identifies the name of a department.' }),
    complex(
      'manager',
      [
        attr('value', 'string', { description: 'The id of the SCIM resource representing the manager.' }),
        attr('$ref', 'reference', { description: 'The URI of the manager.', referenceTypes: ['User'] }),
        attr('displayName', 'string', { description: 'The displayName of the manager.', mutability: 'readOnly' }),
      ],
      { description: "The User's manager." },
    ),
  ],
};

export const GROUP: SchemaDefinition = {
  id: GROUP_SCHEMA,
  name: 'Group',
  description: 'Group',
  attributes: [
    attr('displayName', 'string', { description: 'A human-readable name for the Group.', required: true, uniqueness: 'server' }),
    complex(
      'members',
      [
        attr('value', 'string', { description: 'Identifier of the member.', caseExact: true, mutability: 'immutable' }),
        attr('$ref', 'reference', { description: 'The URI of the member.', mutability: 'immutable', referenceTypes: ['User', 'Group'] }),
        attr('display', 'string', { description: 'A human-readable name of the member.', mutability: 'readOnly' }),
        attr('type', 'string', { description: 'The type of the member.', mutability: 'immutable', canonicalValues: ['User', 'Group'] }),
      ],
      {
        description: `A list of members of the Group. Returned by default, except for a group of more than ${MAX_MEMBERS_RETURNED} members, and in a list page past ${MAX_MEMBERS_RETURNED} members in all (the response size limit): ask for one member with filter=members[value eq "<id>"].`,
        multiValued: true,
      },
    ),
  ],
};

/** The provisioned users: search by userName, name or e-mail; active or not; one user with its groups. */
import { useEffect, useState } from 'preact/hooks';
import { ErrorNote, PageHeading, Pager, SearchForm, TableFrame, when } from '../components/common';
import { useConsole } from '../context';
import { useCursorPages } from '../lib/pages';
import { userFilter } from '../lib/search';

export const PAGE_SIZE = 25;

interface UserSummary {
  id: string;
  userName: string;
  displayName?: string;
  name?: string;
  email?: string;
  active: boolean;
  lastModified: string;
}

/** A page of the admin API's views (SCIM's paging: totalResults null where a cursor page cannot know it). */
export interface Listing {
  totalResults: number | null;
  nextCursor: string | null;
}

type UserPage = Listing & { users: UserSummary[] };

export function UsersPage() {
  const { api } = useConsole();
  const [query, setQuery] = useState('');
  const [active, setActive] = useState<'all' | 'active' | 'inactive'>('all');
  const filter = userFilter(query, active === 'all' ? undefined : active === 'active');
  const pages = useCursorPages(
    async (cursor) => {
      const page = await api.get<UserPage>('/users', { count: PAGE_SIZE, cursor: cursor ?? '', sortBy: 'userName', filter });
      return { items: page.users, next: page.nextCursor, total: page.totalResults };
    },
    `${filter ?? ''}`,
  );
  return (
    <>
      <PageHeading>Users</PageHeading>
      <SearchForm id="user-search" label="Search users" placeholder="userName, name or e-mail" onSearch={setQuery}>
        <label for="user-active">Status</label>
        <select id="user-active" value={active} onChange={(e) => setActive((e.target as HTMLSelectElement).value as typeof active)}>
          <option value="all">All</option>
          <option value="active">Active</option>
          <option value="inactive">Inactive</option>
        </select>
      </SearchForm>
      <ErrorNote error={pages.error} />
      {pages.data && pages.data.items.length === 0 ? (
        <p role="status">No users{query ? ` match "${query}"` : ''}.</p>
      ) : (
        <TableFrame label="Users">
          <thead>
            <tr>
              <th scope="col">User name</th>
              <th scope="col">Name</th>
              <th scope="col">E-mail</th>
              <th scope="col">Status</th>
              <th scope="col">Last change</th>
            </tr>
          </thead>
          <tbody>
            {(pages.data?.items ?? []).map((u) => (
              <tr key={u.id}>
                <td>
                  <a href={`#/users/${encodeURIComponent(u.id)}`}>{u.userName}</a>
                </td>
                <td>{u.name ?? u.displayName ?? ''}</td>
                <td>{u.email ?? ''}</td>
                <td>
                  <span class={`status ${u.active ? 'active' : 'expired'}`}>{u.active ? 'Active' : 'Inactive'}</span>
                </td>
                <td>{when(u.lastModified)}</td>
              </tr>
            ))}
          </tbody>
        </TableFrame>
      )}
      <Pager pages={pages} noun="user" />
    </>
  );
}

interface ScimUser {
  id: string;
  userName: string;
  displayName?: string;
  active?: boolean;
  externalId?: string;
  name?: { formatted?: string; givenName?: string; familyName?: string };
  emails?: { value: string; type?: string; primary?: boolean }[];
  groups?: { value: string; display?: string }[];
  meta: { created: string; lastModified: string };
}

export function UserPage({ id }: { id: string }) {
  const { api } = useConsole();
  const [user, setUser] = useState<ScimUser | undefined>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    api.get<ScimUser>(`/users/${encodeURIComponent(id)}`).then(setUser, setError);
  }, [api, id]);
  const name = user?.name?.formatted ?? [user?.name?.givenName, user?.name?.familyName].filter(Boolean).join(' ');
  return (
    <>
      <p>
        <a href="#/users">← Users</a>
      </p>
      <PageHeading>{user ? user.userName : 'User'}</PageHeading>
      <ErrorNote error={error} />
      {user && (
        <>
          <dl class="facts">
            <dt>Name</dt>
            <dd>{name || user.displayName || '—'}</dd>
            <dt>E-mail</dt>
            <dd>{(user.emails ?? []).map((e) => `${e.value}${e.type ? ` (${e.type})` : ''}`).join(', ') || '—'}</dd>
            <dt>Status</dt>
            <dd>{user.active === false ? 'Inactive' : 'Active'}</dd>
            <dt>External id</dt>
            <dd>{user.externalId ?? '—'}</dd>
            <dt>Created</dt>
            <dd>{when(user.meta.created)}</dd>
            <dt>Last change</dt>
            <dd>{when(user.meta.lastModified)}</dd>
          </dl>
          <h2>Groups</h2>
          {(user.groups ?? []).length === 0 ? (
            <p>In no group.</p>
          ) : (
            <ul>
              {(user.groups ?? []).map((g) => (
                <li key={g.value}>
                  <a href={`#/groups/${encodeURIComponent(g.value)}`}>{g.display ?? g.value}</a>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </>
  );
}

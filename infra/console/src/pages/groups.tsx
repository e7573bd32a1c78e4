/** The provisioned groups with their member counts; one group with its members. */
import { useEffect, useState } from 'preact/hooks';
import { ErrorNote, PageHeading, Pager, SearchForm, TableFrame, when } from '../components/common';
import { useConsole } from '../context';
import { useCursorPages } from '../lib/pages';
import { groupFilter } from '../lib/search';
import { PAGE_SIZE, type Listing } from './users';

interface GroupSummary {
  id: string;
  displayName: string;
  memberCount: number;
  lastModified: string;
}

export function GroupsPage() {
  const { api } = useConsole();
  const [query, setQuery] = useState('');
  const filter = groupFilter(query);
  const pages = useCursorPages(async (cursor) => {
    const page = await api.get<Listing & { groups: GroupSummary[] }>('/groups', {
      count: PAGE_SIZE,
      cursor: cursor ?? '',
      sortBy: 'displayName',
      filter,
    });
    return { items: page.groups, next: page.nextCursor, total: page.totalResults };
  }, filter ?? '');
  return (
    <>
      <PageHeading>Groups</PageHeading>
      <SearchForm id="group-search" label="Search groups" placeholder="Group name" onSearch={setQuery} />
      <ErrorNote error={pages.error} />
      {pages.data && pages.data.items.length === 0 ? (
        <p role="status">No groups{query ? ` match "${query}"` : ''}.</p>
      ) : (
        <TableFrame label="Groups">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Members</th>
              <th scope="col">Last change</th>
            </tr>
          </thead>
          <tbody>
            {(pages.data?.items ?? []).map((g) => (
              <tr key={g.id}>
                <td>
                  <a href={`#/groups/${encodeURIComponent(g.id)}`}>{g.displayName}</a>
                </td>
                <td>{g.memberCount}</td>
                <td>{when(g.lastModified)}</td>
              </tr>
            ))}
          </tbody>
        </TableFrame>
      )}
      <Pager pages={pages} noun="group" />
    </>
  );
}

interface ScimGroup {
  id: string;
  displayName: string;
  externalId?: string;
  memberCount: number;
  members?: { value: string; display?: string; type?: string }[];
  meta: { created: string; lastModified: string };
}

/** Members shown at once on a group's page (a group may have thousands). */
const MEMBERS_SHOWN = 200;

export function GroupPage({ id }: { id: string }) {
  const { api } = useConsole();
  const [group, setGroup] = useState<ScimGroup | undefined>();
  const [error, setError] = useState<unknown>();
  const [shown, setShown] = useState(MEMBERS_SHOWN);
  useEffect(() => {
    api.get<ScimGroup>(`/groups/${encodeURIComponent(id)}`).then(setGroup, setError);
  }, [api, id]);
  const members = group?.members ?? [];
  return (
    <>
      <p>
        <a href="#/groups">← Groups</a>
      </p>
      <PageHeading>{group ? group.displayName : 'Group'}</PageHeading>
      <ErrorNote error={error} />
      {group && (
        <>
          <dl class="facts">
            <dt>Members</dt>
            <dd>{group.memberCount}</dd>
            <dt>External id</dt>
            <dd>{group.externalId ?? '—'}</dd>
            <dt>Created</dt>
            <dd>{when(group.meta.created)}</dd>
            <dt>Last change</dt>
            <dd>{when(group.meta.lastModified)}</dd>
          </dl>
          <h2>Members</h2>
          {group.memberCount > 0 && members.length === 0 && <p>This group is too large to list its members here.</p>}
          {group.memberCount === 0 && <p>No members.</p>}
          <ul>
            {members.slice(0, shown).map((m) => (
              <li key={m.value}>
                {m.type === 'Group' ? (
                  <a href={`#/groups/${encodeURIComponent(m.value)}`}>{m.display ?? m.value} (group)</a>
                ) : (
                  <a href={`#/users/${encodeURIComponent(m.value)}`}>{m.display ?? m.value}</a>
                )}
              </li>
            ))}
          </ul>
          {members.length > shown && (
            <button type="button" onClick={() => setShown((n) => n + MEMBERS_SHOWN)}>
              Show more members ({members.length - shown} more)
            </button>
          )}
        </>
      )}
    </>
  );
}

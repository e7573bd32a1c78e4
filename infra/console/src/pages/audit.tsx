/** The audit log, newest first: who did what, when, and how it ended. */
import { ErrorNote, PageHeading, Pager, TableFrame, when } from '../components/common';
import { useConsole } from '../context';
import { useCursorPages } from '../lib/pages';

interface AuditEvent {
  id: string;
  at: string;
  actor: { type: string; id: string; display?: string; sourceIp?: string };
  action: string;
  target?: { type: string; id?: string; display?: string };
  outcome: 'success' | 'denied' | 'failure';
  reason?: string;
  count?: number;
}

const ACTOR_TYPES: Record<string, string> = { admin: 'Administrator', scimToken: 'SCIM token', anonymous: 'Anonymous', system: 'System' };

export function AuditPage() {
  const { api } = useConsole();
  const pages = useCursorPages(async (cursor) => {
    const page = await api.get<{ events: AuditEvent[]; nextCursor: string | null }>('/audit', { limit: 50, cursor });
    return { items: page.events, next: page.nextCursor };
  }, 'audit');
  return (
    <>
      <PageHeading>Audit log</PageHeading>
      <ErrorNote error={pages.error} />
      <TableFrame label="Audit log">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Who</th>
            <th scope="col">What</th>
            <th scope="col">Outcome</th>
          </tr>
        </thead>
        <tbody>
          {(pages.data?.items ?? []).map((e) => (
            <tr key={e.id}>
              <td>{when(e.at)}</td>
              <td>
                {ACTOR_TYPES[e.actor.type] ?? e.actor.type}: {e.actor.display ?? e.actor.id}
              </td>
              <td>
                <code>{e.action}</code>
                {e.target ? ` ${e.target.type} ${e.target.display ?? e.target.id ?? ''}` : ''}
                {e.count && e.count > 1 ? ` (×${e.count})` : ''}
              </td>
              <td>
                <span class={`outcome ${e.outcome}`}>{e.outcome}</span>
                {e.reason ? ` (${e.reason})` : ''}
              </td>
            </tr>
          ))}
        </tbody>
      </TableFrame>
      <Pager pages={pages} />
    </>
  );
}

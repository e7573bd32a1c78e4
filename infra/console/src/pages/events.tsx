/** Change events (the replayable log) and the webhooks that receive them, with their deliveries. */
import { useEffect, useState } from 'preact/hooks';
import { ShownOnce } from '../components/shown-once';
import { Dialog } from '../components/dialog';
import { ErrorNote, PageHeading, Pager, TableFrame, when } from '../components/common';
import { useConsole } from '../context';
import { useCursorPages } from '../lib/pages';

interface ChangeEvent {
  id: string;
  type: string;
  time: string;
  resourceType: string;
  resourceId: string;
  sequence: number;
  actor: { type: string; id: string };
}

interface Webhook {
  id: string;
  url: string;
  types: string[];
  createdAt: string;
  status: 'active' | 'disabled';
  consecutiveFailures: number;
  lastSuccessAt?: string;
  lastFailureAt?: string;
  disabledReason?: string;
}

interface Delivery {
  eventId: string;
  eventType: string;
  resourceId: string;
  eventTime: string;
  status: string;
  attempts: number;
  lastStatusCode?: number;
  lastError?: string;
  nextAttemptAt?: string;
}

/** The event type's last part (…:event:prov:create:full → create), which says what happened. */
const shortType = (type: string): string => type.split(':').slice(-2).join(' ');

function Deliveries({ webhook }: { webhook: Webhook }) {
  const { api } = useConsole();
  const pages = useCursorPages(async (cursor) => {
    const page = await api.get<{ deliveries: Delivery[]; nextCursor: string | null }>(
      `/webhooks/${encodeURIComponent(webhook.id)}/deliveries`,
      {
        limit: 20,
        cursor,
      },
    );
    return { items: page.deliveries, next: page.nextCursor };
  }, webhook.id);
  return (
    <>
      <ErrorNote error={pages.error} />
      {pages.data && pages.data.items.length === 0 ? (
        <p>No deliveries yet.</p>
      ) : (
        <TableFrame label={`Deliveries to ${webhook.url}`}>
          <thead>
            <tr>
              <th scope="col">Event</th>
              <th scope="col">Status</th>
              <th scope="col">Attempts</th>
              <th scope="col">Last answer</th>
            </tr>
          </thead>
          <tbody>
            {(pages.data?.items ?? []).map((d) => (
              <tr key={d.eventId}>
                <td>
                  {shortType(d.eventType)} {d.resourceId} ({when(d.eventTime)})
                </td>
                <td>
                  {d.status}
                  {d.nextAttemptAt ? `, next try ${when(d.nextAttemptAt)}` : ''}
                </td>
                <td>{d.attempts}</td>
                <td>{d.lastStatusCode ?? d.lastError ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </TableFrame>
      )}
      <Pager pages={pages} />
    </>
  );
}

function Webhooks() {
  const { api, canManage } = useConsole();
  const [hooks, setHooks] = useState<Webhook[] | undefined>();
  const [error, setError] = useState<unknown>();
  const [url, setUrl] = useState('');
  const [secret, setSecret] = useState<{ url: string; secret: string } | undefined>();
  const [removing, setRemoving] = useState<Webhook | undefined>();
  const [open, setOpen] = useState<string | undefined>();
  const load = (): Promise<void> => api.get<{ webhooks: Webhook[] }>('/webhooks').then((r) => setHooks(r.webhooks), setError);
  useEffect(() => void load(), [api]);
  return (
    <section aria-labelledby="webhooks-heading" class="card">
      <h2 id="webhooks-heading">Webhooks</h2>
      <p>Each change event is sent, signed (Standard Webhooks), to every webhook; failed deliveries are retried for 31.7 hours.</p>
      <ErrorNote error={error} />
      <form
        class="search"
        onSubmit={(e) => {
          e.preventDefault();
          setError(undefined);
          api.send<Webhook & { secret: string }>('POST', '/webhooks', { url: url.trim() }).then((made) => {
            setUrl('');
            setSecret({ url: made.url, secret: made.secret });
            void load();
          }, setError);
        }}
      >
        <label for="webhook-url">Webhook URL</label>
        <input
          id="webhook-url"
          type="url"
          required
          placeholder="https://"
          value={url}
          disabled={!canManage}
          onInput={(e) => setUrl((e.target as HTMLInputElement).value)}
        />
        <button type="submit" class="primary" disabled={!canManage || url.trim() === ''}>
          Register webhook
        </button>
      </form>
      {hooks && hooks.length === 0 && <p>No webhooks.</p>}
      {hooks && hooks.length > 0 && (
        <TableFrame label="Webhooks">
          <thead>
            <tr>
              <th scope="col">URL</th>
              <th scope="col">Status</th>
              <th scope="col">Failures in a row</th>
              <th scope="col">Last success</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {hooks.map((h) => (
              <tr key={h.id}>
                <td>{h.url}</td>
                <td>
                  {h.status}
                  {h.disabledReason ? ` (${h.disabledReason})` : ''}
                </td>
                <td>{h.consecutiveFailures}</td>
                <td>{when(h.lastSuccessAt)}</td>
                <td class="row-actions">
                  <button type="button" aria-expanded={open === h.id} onClick={() => setOpen(open === h.id ? undefined : h.id)}>
                    Deliveries<span class="visually-hidden"> to {h.url}</span>
                  </button>
                  <button type="button" class="danger" disabled={!canManage} onClick={() => setRemoving(h)}>
                    Delete<span class="visually-hidden"> webhook {h.url}</span>
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </TableFrame>
      )}
      {hooks
        ?.filter((h) => h.id === open)
        .map((h) => (
          <section key={h.id} aria-label={`Deliveries to ${h.url}`}>
            <h3>Deliveries to {h.url}</h3>
            <Deliveries webhook={h} />
          </section>
        ))}
      <ShownOnce
        title="Your webhook's signing secret"
        shown={secret && { label: `Signing secret for ${secret.url}`, value: secret.secret }}
        warning="Copy it now: this secret cannot be shown again. Verify each delivery's webhook-signature with it."
        onConfirm={() => setSecret(undefined)}
      />
      <Dialog open={removing !== undefined} title="Delete this webhook?" alert onClose={() => setRemoving(undefined)}>
        <p>{removing?.url}: no more events are sent to it, and its queued deliveries are dropped.</p>
        <div class="actions">
          <button
            type="button"
            class="danger"
            onClick={() => {
              const id = removing?.id ?? '';
              setRemoving(undefined);
              api.send('DELETE', `/webhooks/${encodeURIComponent(id)}`).then(() => load(), setError);
            }}
          >
            Delete
          </button>
          <button type="button" onClick={() => setRemoving(undefined)}>
            Cancel
          </button>
        </div>
      </Dialog>
    </section>
  );
}

export function EventsPage() {
  const { api } = useConsole();
  const pages = useCursorPages(async (cursor) => {
    const page = await api.get<{ events: ChangeEvent[]; nextCursor: string }>('/events', { limit: 50, cursor });
    return { items: page.events, next: page.events.length > 0 ? page.nextCursor : null };
  }, 'events');
  return (
    <>
      <PageHeading>Events and webhooks</PageHeading>
      <section aria-labelledby="events-heading" class="card">
        <h2 id="events-heading">Change events</h2>
        <p>Every committed change of a user or group, once, oldest first (the newest seconds appear after a short settle window).</p>
        <ErrorNote error={pages.error} />
        {pages.data && pages.data.items.length === 0 ? (
          <p>No events{pages.page > 1 ? ' after these' : ''}.</p>
        ) : (
          <TableFrame label="Change events">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Change</th>
                <th scope="col">Resource</th>
                <th scope="col">By</th>
              </tr>
            </thead>
            <tbody>
              {(pages.data?.items ?? []).map((e) => (
                <tr key={e.id}>
                  <td>{when(e.time)}</td>
                  <td>{shortType(e.type)}</td>
                  <td>
                    <a href={`#/${e.resourceType === 'Group' ? 'groups' : 'users'}/${encodeURIComponent(e.resourceId)}`}>
                      {e.resourceType} {e.resourceId}
                    </a>{' '}
                    (#{e.sequence})
                  </td>
                  <td>{e.actor.type}</td>
                </tr>
              ))}
            </tbody>
          </TableFrame>
        )}
        <Pager pages={pages} />
      </section>
      <Webhooks />
    </>
  );
}

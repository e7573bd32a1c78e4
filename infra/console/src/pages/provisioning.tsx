/** Administrator > General > User Management > Provisioning: the switch, the SCIM endpoint, the tokens. */
import { useEffect, useState } from 'preact/hooks';
import { CopyButton } from '../components/copy-button';
import { ShownOnce } from '../components/shown-once';
import { Dialog } from '../components/dialog';
import { ErrorNote, PageHeading, TableFrame, when } from '../components/common';
import { useConsole } from '../context';
import {
  DEFAULT_LIFETIME_DAYS,
  expiryDayFor,
  expiryWarnings,
  generateBlocked,
  LIFETIME_CHOICES,
  warningText,
  type Token,
} from '../lib/tokens';

interface Provisioning {
  enabled: boolean;
  scimEndpoint: string;
  tokens: Token[];
}

type Generated = Token & { token: string };

export function ProvisioningPage() {
  const { api, canManage } = useConsole();
  const [view, setView] = useState<Provisioning | undefined>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [confirmDisable, setConfirmDisable] = useState(false);
  const [generating, setGenerating] = useState(false);
  const [name, setName] = useState('');
  const [days, setDays] = useState(DEFAULT_LIFETIME_DAYS);
  const [generated, setGenerated] = useState<Generated | undefined>();
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [confirmDelete, setConfirmDelete] = useState(false);
  const now = new Date();

  const load = (): Promise<void> =>
    api.get<Provisioning>('/provisioning').then((v) => {
      setView(v);
      setSelected((s) => new Set([...s].filter((id) => v.tokens.some((t) => t.id === id))));
    }, setError);
  useEffect(() => void load(), [api]);

  /** Runs a change, shows its error if any, and reloads the page's state either way. */
  const act = async (change: () => Promise<unknown>): Promise<boolean> => {
    setBusy(true);
    setError(undefined);
    try {
      await change();
      return true;
    } catch (e: unknown) {
      setError(e);
      return false;
    } finally {
      await load();
      setBusy(false);
    }
  };

  if (!view) {
    return (
      <>
        <PageHeading>Provisioning</PageHeading>
        <ErrorNote error={error} />
        {!error && <p>Loading…</p>}
      </>
    );
  }
  const blocked = generateBlocked(view.tokens, now, view.enabled);
  const warnings = expiryWarnings(view.tokens, now);
  const controlsOff = !canManage || busy;

  return (
    <>
      <PageHeading>Provisioning</PageHeading>
      <p class="lead">
        Identity providers (Okta, Microsoft Entra ID, …) create, change and remove your users and groups here over SCIM 2.0.
      </p>
      <ErrorNote error={error} />

      <section aria-labelledby="switch-heading" class="card">
        <h2 id="switch-heading">Provisioning is {view.enabled ? 'on' : 'off'}</h2>
        {view.enabled ? (
          <button type="button" class="danger" disabled={controlsOff} onClick={() => setConfirmDisable(true)}>
            Disable
          </button>
        ) : (
          <button
            type="button"
            class="primary"
            disabled={controlsOff}
            onClick={() => void act(() => api.send('PUT', '/provisioning', { enabled: true }))}
          >
            Enable
          </button>
        )}
      </section>

      <section aria-labelledby="endpoint-heading" class="card">
        <h2 id="endpoint-heading">SCIM Endpoint</h2>
        <p>Give your identity provider this base URL, with a token below.</p>
        <div class="copy-row">
          <input id="scim-endpoint" readOnly value={view.scimEndpoint} aria-labelledby="endpoint-heading" />
          <CopyButton value={view.scimEndpoint} />
        </div>
      </section>

      <section aria-labelledby="tokens-heading" class="card">
        <h2 id="tokens-heading">Tokens</h2>
        {warnings.map((w) => (
          <p key={w.token.id} class={`expiry ${w.level}`} role={w.level === 'urgent' ? 'alert' : 'status'}>
            <strong>{w.level === 'urgent' ? 'Expires very soon: ' : 'Expires soon: '}</strong>
            {warningText(w)}
          </p>
        ))}
        <div class="actions">
          <button
            id="generate-token"
            type="button"
            class="primary"
            disabled={controlsOff || blocked !== undefined}
            aria-describedby={blocked ? 'generate-blocked' : undefined}
            onClick={() => {
              setName('');
              setDays(DEFAULT_LIFETIME_DAYS);
              setGenerating(true);
            }}
          >
            Generate Token
          </button>
          <button type="button" class="danger" disabled={controlsOff || selected.size === 0} onClick={() => setConfirmDelete(true)}>
            DELETE
          </button>
        </div>
        {blocked && (
          <p id="generate-blocked" class="hint">
            {blocked}
          </p>
        )}
        {view.tokens.length === 0 ? (
          <p>No tokens.</p>
        ) : (
          <TableFrame label="Tokens">
            <thead>
              <tr>
                <th scope="col">
                  <span class="visually-hidden">Select</span>
                </th>
                <th scope="col">Name</th>
                <th scope="col">Created</th>
                <th scope="col">Expires</th>
                <th scope="col">Status</th>
                <th scope="col">Last used</th>
              </tr>
            </thead>
            <tbody>
              {view.tokens.map((t) => (
                <tr key={t.id}>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`Select token ${t.name}`}
                      checked={selected.has(t.id)}
                      disabled={!canManage}
                      onChange={(e) => {
                        const on = (e.target as HTMLInputElement).checked;
                        setSelected((s) => {
                          const next = new Set(s);
                          if (on) next.add(t.id);
                          else next.delete(t.id);
                          return next;
                        });
                      }}
                    />
                  </td>
                  <td>
                    {t.name} <span class="hint">…{t.hint}</span>
                  </td>
                  <td>{t.createdAt.slice(0, 10)}</td>
                  <td>{t.expiresOn}</td>
                  <td>
                    <span class={`status ${t.status.toLowerCase()}`}>{t.status}</span>
                  </td>
                  <td>{when(t.lastUsedAt)}</td>
                </tr>
              ))}
            </tbody>
          </TableFrame>
        )}
      </section>

      <Dialog open={confirmDisable} title="Disable provisioning?" alert onClose={() => setConfirmDisable(false)}>
        <p>Every token will be deleted: identity providers are refused from their next request. Enabling again needs new tokens.</p>
        <div class="actions">
          <button
            type="button"
            class="danger"
            onClick={() => {
              setConfirmDisable(false);
              void act(() => api.send('PUT', '/provisioning', { enabled: false }));
            }}
          >
            Disable and delete every token
          </button>
          <button type="button" onClick={() => setConfirmDisable(false)}>
            Cancel
          </button>
        </div>
      </Dialog>

      <Dialog open={generating} title="Generate Token" returnTo="generate-token" onClose={() => setGenerating(false)}>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void act(async () => {
              const made = await api.send<Generated>('POST', '/provisioning/tokens', { name: name.trim(), expiresInDays: days });
              setGenerating(false);
              setGenerated(made);
            });
          }}
        >
          <label for="token-name">Name</label>
          <input id="token-name" required maxLength={100} value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
          <label for="token-days">Valid for</label>
          <select
            id="token-days"
            value={String(days)}
            aria-describedby="token-expiry"
            onChange={(e) => setDays(Number((e.target as HTMLSelectElement).value))}
          >
            {LIFETIME_CHOICES.map((d) => (
              <option key={d} value={String(d)}>
                {d} days
              </option>
            ))}
          </select>
          <p id="token-expiry" class="hint">
            Expires on {expiryDayFor(now, days)}
          </p>
          <ErrorNote error={generating ? error : undefined} />
          <div class="actions">
            <button type="submit" class="primary" disabled={busy || name.trim() === ''}>
              Generate
            </button>
            <button type="button" onClick={() => setGenerating(false)}>
              Cancel
            </button>
          </div>
        </form>
      </Dialog>

      <ShownOnce
        title="Your new SCIM token"
        shown={generated && { label: `Token for ${generated.name}, expires on ${generated.expiresOn}`, value: generated.token }}
        warning="Copy it now: this token cannot be shown again. Only a hash of it is kept."
        returnTo="generate-token"
        onConfirm={() => setGenerated(undefined)}
      />

      <Dialog
        open={confirmDelete}
        title={`Delete ${selected.size === 1 ? 'this token' : `${selected.size} tokens`}?`}
        alert
        onClose={() => setConfirmDelete(false)}
      >
        <p>
          {view.tokens
            .filter((t) => selected.has(t.id))
            .map((t) => t.name)
            .join(', ')}
          : an identity provider using {selected.size === 1 ? 'it' : 'them'} is refused from its next request.
        </p>
        <div class="actions">
          <button
            type="button"
            class="danger"
            onClick={() => {
              const ids = [...selected];
              setConfirmDelete(false);
              void act(async () => {
                for (const id of ids) await api.send('DELETE', `/provisioning/tokens/${encodeURIComponent(id)}`);
                setSelected(new Set());
              });
            }}
          >
            Delete
          </button>
          <button type="button" onClick={() => setConfirmDelete(false)}>
            Cancel
          </button>
        </div>
      </Dialog>
    </>
  );
}

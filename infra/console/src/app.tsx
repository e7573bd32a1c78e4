/** The console's frame: who is signed in, the navigation, the read-only line, and the page of the address (#/…). */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { adminApi } from './api';
import { localSession, reauthenticate, signOut, type Session } from './auth';
import type { ConsoleConfig } from './config';
import { Ctx } from './context';
import { AuditPage } from './pages/audit';
import { EventsPage } from './pages/events';
import { GroupPage, GroupsPage } from './pages/groups';
import { ProvisioningPage } from './pages/provisioning';
import { UserPage, UsersPage } from './pages/users';
import { parseRoute, type Route } from './lib/routes';

const NAV: readonly { route: Route['page']; label: string }[] = [
  { route: 'provisioning', label: 'Provisioning' },
  { route: 'users', label: 'Users' },
  { route: 'groups', label: 'Groups' },
  { route: 'audit', label: 'Audit log' },
  { route: 'events', label: 'Events' },
];

function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = (): void => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  // A new page: focus its heading, so screen readers and keyboard users start there.
  useEffect(() => {
    document.querySelector<HTMLElement>('#page-heading')?.focus();
  }, [route.page, route.id]);
  return route;
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'users':
      return route.id ? <UserPage id={route.id} /> : <UsersPage />;
    case 'groups':
      return route.id ? <GroupPage id={route.id} /> : <GroupsPage />;
    case 'audit':
      return <AuditPage />;
    case 'events':
      return <EventsPage />;
    default:
      return <ProvisioningPage />;
  }
}

export function App({ config, initial }: { config: ConsoleConfig; initial: Session }) {
  const [session, setSession] = useState(initial);
  const [switchError, setSwitchError] = useState<string | undefined>();
  const route = useRoute();
  const api = useMemo(
    () =>
      adminApi(
        config.apiBase,
        () => session.idToken,
        () => reauthenticate(config),
      ),
    [config, session],
  );
  const canManage = session.roles.some((r) => config.manageRoles.includes(r));
  const role = session.roles[0] ?? 'no role';
  return (
    <Ctx.Provider value={{ api, session, canManage, manageRoles: config.manageRoles }}>
      <a class="skip" href="#main">
        Skip to the page
      </a>
      <header>
        <p class="crumbs">Administrator › General › User Management</p>
        <nav aria-label="Console">
          <ul>
            {NAV.map((n) => (
              <li key={n.route}>
                <a href={`#/${n.route}`} aria-current={route.page === n.route ? 'page' : undefined}>
                  {n.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="who">
          <span>
            {session.who} ({role})
          </span>
          {config.mode === 'local' ? (
            <>
              <label for="role-switcher">Role (local only)</label>
              <select
                id="role-switcher"
                value={role}
                onChange={(e) => {
                  const next = (e.target as HTMLSelectElement).value;
                  setSwitchError(undefined);
                  localSession(config, next).then(setSession, (err: unknown) => setSwitchError(String(err)));
                }}
              >
                {config.roles.map((r) => (
                  <option key={r} value={r}>
                    {r}
                  </option>
                ))}
              </select>
              {switchError && <span role="alert">{switchError}</span>}
            </>
          ) : (
            <button type="button" onClick={() => signOut(config)}>
              Sign out
            </button>
          )}
        </div>
      </header>
      <main id="main" key={`${session.idToken}`}>
        {!canManage && (
          <p class="read-only" role="note">
            Read-only: you are signed in as {role}. Only {config.manageRoles.join(' or ')} can change provisioning, tokens and webhooks.
          </p>
        )}
        <Page route={route} />
      </main>
    </Ctx.Provider>
  );
}

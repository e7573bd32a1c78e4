/** The console's pages, by the address's fragment (#/users/<id>): static hosting needs no rewrites. */
export type PageName = 'provisioning' | 'users' | 'groups' | 'audit' | 'events';

export interface Route {
  page: PageName;
  id?: string;
}

const PAGES: readonly PageName[] = ['provisioning', 'users', 'groups', 'audit', 'events'];

export function parseRoute(hash: string): Route {
  const [page, id] = hash.replace(/^#\/?/, '').split('/');
  const known = PAGES.find((p) => p === page) ?? 'provisioning';
  if (id && (known === 'users' || known === 'groups')) {
    try {
      return { page: known, id: decodeURIComponent(id) };
    } catch {
      return { page: known };
    }
  }
  return { page: known };
}

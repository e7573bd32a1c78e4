import { useCallback, useEffect, useState } from 'preact/hooks';

export interface PageData<T> {
  items: T[];
  next: string | null;
  total?: number | null;
}

/**
 * Cursor pages of a list: the cursors of the pages before this one are kept, so Previous goes back
 * without the API having to page backwards. `key` starts over (a new search).
 */
export function useCursorPages<T>(load: (cursor: string | undefined) => Promise<PageData<T>>, key: string) {
  const [trail, setTrail] = useState<(string | undefined)[]>([undefined]);
  const [data, setData] = useState<PageData<T> | undefined>();
  const [error, setError] = useState<unknown>();
  const [generation, setGeneration] = useState(0);
  const cursor = trail[trail.length - 1];
  useEffect(() => setTrail([undefined]), [key]);
  useEffect(() => {
    let current = true;
    setError(undefined);
    load(cursor).then(
      (d) => current && setData(d),
      (e: unknown) => current && setError(e),
    );
    return () => {
      current = false;
    };
  }, [cursor, key, generation]);
  const next = useCallback(() => data?.next && setTrail((t) => [...t, data.next ?? undefined]), [data]);
  const prev = useCallback(() => setTrail((t) => (t.length > 1 ? t.slice(0, -1) : t)), []);
  return {
    data,
    error,
    page: trail.length,
    hasPrev: trail.length > 1,
    hasNext: Boolean(data?.next),
    next,
    prev,
    reload: () => setGeneration((g) => g + 1),
  };
}

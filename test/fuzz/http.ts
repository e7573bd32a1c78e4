/**
 * A raw HTTP client (node:http): the path goes on the request line exactly as generated (`..`,
 * `%2F`, `//` and all, which fetch would normalise), headers as given (repeated ones included).
 */
import { Agent, request, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';

export interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly ms: number;
  /** Set when no response came back (connection reset, timeout, a request Node refused to send). */
  readonly error?: string;
  /** The request never left: Node's client refused it (a generator bug, not a finding). */
  readonly notSent?: boolean;
}

export interface RawClient {
  send(
    method: string,
    path: string,
    headers: Readonly<Record<string, string | readonly string[]>>,
    body?: string | Buffer,
  ): Promise<RawResponse>;
  close(): void;
}

export function rawClient(origin: string, options: { sockets?: number; timeoutMs?: number } = {}): RawClient {
  const url = new URL(origin);
  const agent = new Agent({ keepAlive: true, maxSockets: options.sockets ?? 16 });
  const timeoutMs = options.timeoutMs ?? 60_000;
  return {
    send(method, path, headers, body) {
      const started = performance.now();
      // Node's client sends the body of a GET or DELETE without Content-Length (and so unframed)
      // unless told its length: always say it.
      const framed: Record<string, string | readonly string[]> = { ...headers };
      if (body !== undefined && !Object.keys(framed).some((k) => k.toLowerCase() === 'content-length')) {
        framed['Content-Length'] = String(Buffer.byteLength(body));
      }
      const attempt = (retry: boolean): Promise<RawResponse> =>
        new Promise<RawResponse>((resolve) => {
          let settled = false;
          const done = (r: Omit<RawResponse, 'ms'>): void => {
            if (settled) return;
            settled = true;
            resolve({ ...r, ms: performance.now() - started });
          };
          let req: ReturnType<typeof request>;
          try {
            req = request({ host: url.hostname, port: url.port, method, path, agent, headers: framed as OutgoingHttpHeaders });
          } catch (e: unknown) {
            done({ status: 0, headers: {}, body: '', error: `not sent: ${e instanceof Error ? e.message : String(e)}`, notSent: true });
            return;
          }
          req.setTimeout(timeoutMs, () => req.destroy(new Error(`no response within ${timeoutMs} ms`)));
          req.on('error', (e: NodeJS.ErrnoException) => {
            // A kept-alive socket the server closed as it was reused (Node's documented race): once more, on a new one.
            if (retry && req.reusedSocket && (e.code === 'ECONNRESET' || e.code === 'EPIPE')) {
              settled = true;
              void attempt(false).then(resolve);
              return;
            }
            done({ status: 0, headers: {}, body: '', error: e.message });
          });
          req.on('response', (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('error', (e) =>
              done({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), error: e.message }),
            );
            res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
          });
          if (body === undefined) req.end();
          else req.end(body);
        });
      return attempt(true);
    },
    close() {
      agent.destroy();
    },
  };
}

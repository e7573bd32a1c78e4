/** Starts the console: its config (./config.json), the session, then the app. */
import { render } from 'preact';
import { App } from './app';
import { startSession } from './auth';
import type { ConsoleConfig } from './config';
import './styles.css';

async function start(root: HTMLElement): Promise<void> {
  try {
    const res = await fetch('./config.json', { cache: 'no-store' });
    if (!res.ok) throw new Error(`config.json: ${res.status}`);
    const config = (await res.json()) as ConsoleConfig;
    const session = await startSession(config);
    render(<App config={config} initial={session} />, root);
  } catch (e: unknown) {
    render(
      <main>
        <h1>Provisioning</h1>
        <p role="alert">The console could not start: {e instanceof Error ? e.message : String(e)}</p>
      </main>,
      root,
    );
  }
}

void start(document.getElementById('app') as HTMLElement);

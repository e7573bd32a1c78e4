import { render } from 'preact';

render(<main>Provisioning</main>, document.getElementById('app') as HTMLElement);

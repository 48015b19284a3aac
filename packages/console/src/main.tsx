// The console's entry: live events first, then the shell.
import { render } from 'preact';
import { connectLive } from './api/live.js';
import { App } from './app.js';
import { startRouter } from './router.js';
import './styles.css';

connectLive();
startRouter();
render(<App />, document.getElementById('app')!);

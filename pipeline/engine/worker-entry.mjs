// Worker bootstrap: workers start without the parent's TypeScript loader, so register tsx here
// before loading the (TypeScript) host.
import { register } from 'tsx/esm/api';

register();
await import('./worker-host.ts');

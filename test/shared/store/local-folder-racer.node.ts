/**
 * A child process for the local-folder race tests: waits until a shared start time (so the racers really
 * overlap), makes one conditional put and prints "won" or the error code. Run with `node --import tsx`.
 */
import { LocalFolderObjectStore } from '../../../shared/store/local-folder.node.ts';

const [root, key, mode, etag, id, startAt] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
  string,
];
const store = new LocalFolderObjectStore(root);
const options = mode === 'create' ? { ifNoneMatch: '*' as const } : { ifMatch: etag };
while (Date.now() < Number(startAt)) {
  // busy-wait: timers would blur the start by milliseconds
}
try {
  await store.put(key, new TextEncoder().encode(`racer ${id}`), options);
  process.stdout.write('won');
} catch (error) {
  process.stdout.write((error as { code?: string }).code ?? String(error));
}

/**
 * A child process for the local-folder race tests: waits until a shared start time (so the racers really
 * overlap), then either makes one conditional put and prints "won" or the error code (modes create, swap),
 * or increments a counter object `etag` times with read + If-Match loops and prints "done" (increment).
 * Run with `node --import tsx`.
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
if (mode === 'increment') {
  for (let done = 0; done < Number(etag); ) {
    const current = await store.get(key);
    const next = String(Number(new TextDecoder().decode(current!.bytes)) + 1);
    try {
      await store.put(key, new TextEncoder().encode(next), { ifMatch: current!.info.etag });
      done++;
    } catch (error) {
      if ((error as { code?: string }).code !== 'precondition_failed') throw error;
    }
  }
  process.stdout.write('done');
  process.exit(0);
}
try {
  await store.put(key, new TextEncoder().encode(`racer ${id}`), options);
  process.stdout.write('won');
} catch (error) {
  process.stdout.write((error as { code?: string }).code ?? String(error));
}

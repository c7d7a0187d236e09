/**
 * Searches a published index in-process: the edge's own Hono app (`edge/app.ts`) over an object
 * store, called through `app.request` instead of a socket. The index is opened and searched exactly
 * as the deployed API does it (CURRENT → manifest → query encoder from the manifest → shards →
 * engine → merge), so in-process and `--endpoint` evaluations differ only by the network.
 */

import { createHttpSearcher } from '../../batch/eval/http-searcher.ts';
import type { Searcher } from '../../batch/eval/searcher.ts';
import { createApp } from '../../edge/app.ts';
import { type EncoderFactory, registryEncoderFactory } from '../../edge/search/query-codec.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';

/** `encoderFactory`: the Node one (compose/node-query-encoders.node.ts) for indexes with an ONNX encoder. */
export function createInProcessSearcher(
  store: ObjectStore,
  index: string,
  storeName: string,
  encoderFactory: EncoderFactory = registryEncoderFactory,
): Searcher {
  const app = createApp({ store, encoderFactory });
  const searcher = createHttpSearcher({
    endpoint: 'http://in-process',
    index,
    retries: 0,
    fetch: async (url, init) => app.request(url, init),
  });
  return { description: `in-process ${storeName} index ${index}`, search: searcher.search };
}

/**
 * SIGKILL-and-resume against the local-folder store (the CLI child writes to a folder; the test reads it).
 */
import { afterAll, describe } from 'vitest';
import { LocalFolderObjectStore } from '../../../shared/store/local-folder.node.ts';
import { tempDir, writeJsonl } from '../helpers/pipeline-fixtures.ts';
import { syntheticDocs } from '../helpers/synthetic-text.ts';
import { itResumesAfterSigkill } from './kill-suite.ts';

const dir = await tempDir('kill');
afterAll(() => dir.remove());
const DOCS = 12000;

describe('a killed run on the local-folder store', () => {
  itResumesAfterSigkill(async () => ({
    storeArg: `${dir.path}/store`,
    store: new LocalFolderObjectStore(`${dir.path}/store`),
    corpusPath: await writeJsonl(`${dir.path}/corpus.jsonl`, syntheticDocs(DOCS, 100)),
    documents: DOCS,
  }));
});

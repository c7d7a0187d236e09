/**
 * The publishing suite on the memory store and on the local-folder store (one fresh folder per test).
 */
import { afterAll } from 'vitest';
import { LocalFolderObjectStore } from '../../../shared/store/local-folder.node.ts';
import { MemoryObjectStore } from '../../../shared/store/memory.ts';
import { tempDir } from '../helpers/pipeline-fixtures.ts';
import { describePublishing } from './publish-suite.ts';

const dir = await tempDir('publish');
afterAll(() => dir.remove());
let n = 0;

describePublishing('the memory store', () => new MemoryObjectStore());
describePublishing('the local-folder store', () => new LocalFolderObjectStore(`${dir.path}/store-${++n}`));

/**
 * Writes the golden shard files listed in golden-inputs.ts into test/fixtures/shards/.
 * Run only when adding a format version: `npx tsx test/shared/shard/make-golden.ts [--force]`.
 * Existing files are kept unless --force is given (overwriting one means the format changed
 * without a version bump, which golden.test.ts exists to catch).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeShard } from '../../../shared/shard/index.ts';
import { GOLDEN_SHARDS } from './golden-inputs.ts';

const dir = join(import.meta.dirname, '../../fixtures/shards');
const force = process.argv.includes('--force');
for (const golden of GOLDEN_SHARDS) {
  const path = join(dir, golden.file);
  if (existsSync(path) && !force) {
    console.log(`kept ${path}`);
    continue;
  }
  const { bytes, checksum } = writeShard(golden.input());
  writeFileSync(path, bytes);
  console.log(`wrote ${path}: ${bytes.length} bytes, crc32 ${checksum.toString(16)}`);
}

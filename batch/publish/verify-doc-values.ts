/**
 * The doc-values file of one shard, as `csplade verify` and rollback check it: inside the version
 * folder, present at its recorded size and — deep — with its recorded checksum and a head that decodes.
 * A version whose filters or stored text could not be read is as broken as one missing a shard.
 */
import { decodeDocValuesHead } from '../../shared/docvalues/file.ts';
import type { DocValuesFileEntry } from '../../shared/index/manifest.ts';
import { checksumHex } from '../../shared/index/shard-entry.ts';
import { crc32 } from '../../shared/shard/checksum.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';
import type { VersionProblem } from './version-problem.ts';

export async function docValuesProblems(
  store: ObjectStore,
  file: DocValuesFileEntry,
  shard: number,
  folder: string,
  deep: boolean,
): Promise<VersionProblem[]> {
  const key = file.key;
  if (!key.startsWith(folder)) {
    return [{ key, kind: 'mismatch', detail: `doc values of shard ${shard} lie outside the version folder` }];
  }
  const info = await store.head(key);
  if (!info) return [{ key, kind: 'missing', detail: `doc values of shard ${shard} do not exist` }];
  if (info.size !== file.size) {
    return [
      {
        key,
        kind: 'corrupt',
        detail: `doc values of shard ${shard} are ${info.size} bytes, the manifest says ${file.size}`,
      },
    ];
  }
  if (!deep) return [];
  const object = await store.get(key);
  if (!object) return [{ key, kind: 'missing', detail: `doc values of shard ${shard} do not exist` }];
  if (checksumHex(crc32(object.bytes)) !== file.checksum) {
    return [
      { key, kind: 'corrupt', detail: `doc values of shard ${shard} do not have checksum ${file.checksum}` },
    ];
  }
  const { offset, length, crc } = file.head;
  decodeDocValuesHead(object.bytes.subarray(offset, offset + length), crc, key);
  return [];
}

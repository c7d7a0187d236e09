/**
 * Where chaos schedules run: a fresh folder store per schedule, or a fresh prefix of one radosgw bucket
 * per schedule. Each gives the raw store (the invariant checker reads through it, never through faults),
 * the `--store` argument and environment for CLI child processes, and a cleanup.
 */
import { rm } from 'node:fs/promises';
import { S3Client } from '@aws-sdk/client-s3';
import { LocalFolderObjectStore } from '../../shared/store/local-folder.node.ts';
import type { ObjectStore } from '../../shared/store/object-store.ts';
import { prefixed } from '../../shared/store/prefixed.ts';
import { retrying } from '../../shared/store/retrying.ts';
import { S3ObjectStore, s3ClientConfig } from '../../shared/store/s3.ts';
import { type S3TestEnv, s3Variables } from '../services/radosgw-instance.node.ts';

export type TargetKind = 'folder' | 'radosgw';

export interface ChaosStore {
  readonly store: ObjectStore;
  readonly storeArg: string;
  readonly env: Record<string, string>;
  cleanup(): Promise<void>;
}

export interface ChaosTarget {
  readonly kind: TargetKind;
  open(seed: number): Promise<ChaosStore>;
}

/** One folder per schedule under `root`; kept when `keep(seed)` says so (a failing schedule, to look at). */
export function folderTarget(root: string): ChaosTarget {
  return {
    kind: 'folder',
    async open(seed) {
      const path = `${root}/s${seed}`;
      await rm(path, { recursive: true, force: true });
      // No fsync: the schedules test ordering and conditions, not power loss; CLI children keep the default.
      const store = new LocalFolderObjectStore(path, { durable: false });
      return { store, storeArg: path, env: {}, cleanup: () => rm(path, { recursive: true, force: true }) };
    },
  };
}

/** One prefix per schedule in `bucket` (which must exist) on the radosgw `env` names. */
export function radosgwTarget(env: S3TestEnv, bucket: string, runId: string): ChaosTarget {
  const client = new S3Client(s3ClientConfig(env));
  const base = retrying(new S3ObjectStore({ client, bucket }));
  return {
    kind: 'radosgw',
    async open(seed) {
      const prefix = `chaos-${runId}/s${seed}`;
      const store = prefixed(base, prefix);
      return {
        store,
        storeArg: `s3://${bucket}/${prefix}`,
        env: s3Variables(env),
        async cleanup() {
          for (const { key } of await store.list('')) await store.delete(key);
        },
      };
    },
  };
}

/**
 * S3 backend behaviour that a real server cannot be made to show on demand — throttling, a body that breaks
 * off, a 500 that hides a won conditional put, a server that only accepts bare If-Match etags — against a
 * scripted stand-in for S3Client.send. Everything a real server can show runs on radosgw (s3.s3.test.ts).
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import {
  PreconditionFailedError,
  StoreRequestError,
  StoreUnavailableError,
} from '../../../shared/store/errors.ts';
import { S3ObjectStore } from '../../../shared/store/s3.ts';

type Input = Record<string, unknown>;
type Handler = (command: string, input: Input) => Promise<unknown>;

function scripted(handler: Handler, multipartThresholdBytes?: number) {
  const sent: Array<{ command: string; input: Input }> = [];
  const client = {
    async send(command: { constructor: { name: string }; input: Input }) {
      sent.push({ command: command.constructor.name, input: command.input });
      return handler(command.constructor.name, command.input);
    },
  } as unknown as S3Client;
  return { store: new S3ObjectStore({ client, bucket: 'scripted', multipartThresholdBytes }), sent };
}

const httpError = (status: number, name: string) =>
  Object.assign(new Error(`${status} ${name}`), { name, $metadata: { httpStatusCode: status } });
const body = (bytes: Uint8Array) => ({ transformToByteArray: async () => bytes });
const text = (s: string) => new TextEncoder().encode(s);

describe('S3 error mapping', () => {
  it('maps throttling, 5xx and socket errors to StoreUnavailableError, 403 to StoreRequestError', async () => {
    for (const [error, expected] of [
      [httpError(503, 'SlowDown'), StoreUnavailableError],
      [httpError(500, 'InternalError'), StoreUnavailableError],
      [httpError(429, 'TooManyRequests'), StoreUnavailableError],
      [Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), StoreUnavailableError],
      [httpError(403, 'AccessDenied'), StoreRequestError],
    ] as const) {
      const { store } = scripted(async () => {
        throw error;
      });
      await expect(store.head('k')).rejects.toBeInstanceOf(expected);
    }
  });

  it('reports a body that breaks off mid-read as StoreUnavailableError', async () => {
    const { store } = scripted(async () => ({
      ETag: '"e"',
      Body: { transformToByteArray: () => Promise.reject(new Error('aborted')) },
    }));
    await expect(store.get('k')).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.getRange('k', 0, 4)).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it('cuts the range out of a 200 answer from a server that ignored Range', async () => {
    const { store } = scripted(async () => ({ ETag: '"e"', Body: body(text('0123456789')) }));
    expect(await store.getRange('k', 3, 4)).toEqual(text('3456'));
  });
});

describe('S3 conditional puts', () => {
  it('turns a 500 on a conditional put into success when the key holds our bytes', async () => {
    const { store } = scripted(async (command) => {
      if (command === 'PutObjectCommand') throw httpError(500, 'UnknownError');
      return { ETag: '"ours"', Body: body(text('mine')) };
    });
    expect(await store.put('CURRENT', text('mine'), { ifNoneMatch: '*' })).toEqual({
      key: 'CURRENT',
      size: 4,
      etag: 'ours',
    });
  });

  it('turns a 500 on If-Match into PreconditionFailed when another writer moved the key', async () => {
    const { store } = scripted(async (command) => {
      if (command === 'PutObjectCommand') throw httpError(500, 'UnknownError');
      return { ETag: '"theirs"', Body: body(text('theirs')) };
    });
    await expect(store.put('CURRENT', text('mine'), { ifMatch: 'base' })).rejects.toBeInstanceOf(
      PreconditionFailedError,
    );
  });

  it('keeps a 500 transient when the key is untouched', async () => {
    const { store } = scripted(async (command) => {
      if (command === 'PutObjectCommand') throw httpError(500, 'UnknownError');
      return { ETag: '"base"', Body: body(text('old')) };
    });
    await expect(store.put('CURRENT', text('mine'), { ifMatch: 'base' })).rejects.toBeInstanceOf(
      StoreUnavailableError,
    );
  });

  it('retries If-Match with the bare etag after a 412 on the quoted one, and sends the bare one first later', async () => {
    const { store, sent } = scripted(async (_command, input) => {
      if (input.IfMatch !== 'abc') throw httpError(412, 'PreconditionFailed');
      return { ETag: '"def"' };
    });
    expect((await store.put('k', text('x'), { ifMatch: 'abc' })).etag).toBe('def');
    expect(sent.map((s) => s.input.IfMatch)).toEqual(['"abc"', 'abc']);
    await store.put('k', text('y'), { ifMatch: 'abc' });
    expect(sent.map((s) => s.input.IfMatch)).toEqual(['"abc"', 'abc', 'abc']);
  });

  it('sends conditions on a single PUT even above the multipart threshold', async () => {
    const { store, sent } = scripted(async () => ({ ETag: '"one"' }), 8);
    await store.put('k', new Uint8Array(100), { ifNoneMatch: '*' });
    expect(sent.map((s) => [s.command, s.input.IfNoneMatch])).toEqual([['PutObjectCommand', '*']]);
  });
});

/**
 * An HTTP/1.1 client with the control fetch() does not give: any method token, any header (Host included),
 * bodies streamed chunked or with a length, slowly or stalled, and a response read even when the server
 * answers before the body is sent (the client's own EPIPE after an early 413 is then not an error).
 * Used by the body-limit, fuzz and soak suites against our own servers on 127.0.0.1.
 */
import { type ClientRequest, type IncomingMessage, request } from 'node:http';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';

export interface StreamedBody {
  /** Chunks to send, each `chunkBytes` long: slices of `bytes`, or spaces (valid JSON whitespace). */
  readonly chunks?: number;
  readonly chunkBytes: number;
  /** The bytes to send in chunks (instead of `chunks` chunks of spaces). */
  readonly bytes?: Uint8Array;
  /** Pause before each chunk (a slow client). */
  readonly delayMs?: number;
  /** Bytes sent before the chunks (e.g. the start of a JSON object). */
  readonly prefix?: Uint8Array;
  /** Stop after this many bytes of the chunks and wait for the answer without ending the body. */
  readonly stallAfter?: number;
}

export interface RawRequest {
  readonly method?: string;
  /** Path and query, sent as given. */
  readonly path: string;
  readonly headers?: Record<string, string>;
  /** Bytes (sent with Content-Length unless `chunked`), or a stream (always chunked). */
  readonly body?: Uint8Array | StreamedBody;
  readonly chunked?: boolean;
  /** Give up after this long (default 30 s): status 0, error "client timeout". */
  readonly timeoutMs?: number;
}

export interface RawResponse {
  /** 0 when no response arrived. */
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
  /** Body bytes written by the client before the response was complete. */
  readonly sentBytes: number;
  /** A socket error or timeout that left no response. */
  readonly error?: string;
  readonly ms: number;
}

export function sendRaw(baseUrl: string, req: RawRequest): Promise<RawResponse> {
  const url = new URL(baseUrl);
  const started = performance.now();
  return new Promise((resolve) => new RawExchange(url, req, started, resolve).send(req.body));
}

type Finished = Omit<RawResponse, 'sentBytes' | 'ms'>;

/**
 * One request on a connection of its own: the upload (whole or streamed), the answer and the client
 * timeout, the first of which settles it.
 */
class RawExchange {
  #sent = 0;
  #done = false;
  #responded = false;
  readonly #outgoing: ClientRequest;
  readonly #timer: ReturnType<typeof setTimeout>;

  constructor(
    url: URL,
    req: RawRequest,
    private readonly started: number,
    private readonly resolve: (response: RawResponse) => void,
  ) {
    const headers = headersOf(req);
    this.#outgoing = request({
      host: url.hostname,
      port: url.port,
      method: req.method ?? 'GET',
      path: req.path,
      headers,
      agent: false,
      setHost: !Object.keys(headers).some((h) => h.toLowerCase() === 'host'),
    });
    this.#timer = setTimeout(() => {
      this.#outgoing.destroy();
      this.#finish({ status: 0, headers: {}, body: '', error: 'client timeout' });
    }, req.timeoutMs ?? 30_000);
    this.#outgoing.on('response', (res) => this.#answered(res));
    this.#outgoing.on('error', (error) => {
      // An early answer (413, 408) may be followed by EPIPE/ECONNRESET of our own unfinished upload;
      // the 'response' handler resolves then. Only an error with no response is one.
      setTimeout(
        () =>
          this.#finish({
            status: 0,
            headers: {},
            body: '',
            error: (error as NodeJS.ErrnoException).code ?? String(error),
          }),
        200,
      );
    });
  }

  send(body: RawRequest['body']): void {
    if (body === undefined) {
      this.#outgoing.end();
    } else if (body instanceof Uint8Array) {
      this.#sent += body.length;
      this.#outgoing.end(body);
    } else {
      // Headers go out now even when the body stalls before its first byte.
      this.#outgoing.flushHeaders();
      void this.#pump(body);
    }
  }

  #answered(res: IncomingMessage): void {
    // As curl does: an answer before the body is sent (413, 408) stops the upload.
    this.#responded = true;
    const parts: Buffer[] = [];
    res.on('data', (chunk: Buffer) => parts.push(chunk));
    const end = () => {
      this.#outgoing.destroy();
      this.#finish({
        status: res.statusCode ?? 0,
        headers: res.headers,
        body: decoded(Buffer.concat(parts), String(res.headers['content-encoding'] ?? '')),
      });
    };
    res.on('end', end);
    res.on('error', end);
    res.on('close', end);
  }

  #finish(result: Finished): void {
    if (this.#done) return;
    this.#done = true;
    clearTimeout(this.#timer);
    this.resolve({ ...result, sentBytes: this.#sent, ms: performance.now() - this.started });
  }

  async #pump(stream: StreamedBody): Promise<void> {
    const outgoing = this.#outgoing;
    const spaces = new Uint8Array(stream.chunkBytes).fill(0x20);
    const count = stream.bytes ? Math.ceil(stream.bytes.length / stream.chunkBytes) : (stream.chunks ?? 0);
    const live = () => !this.#done && !this.#responded && !outgoing.destroyed;
    if (stream.prefix) await this.#write(stream.prefix);
    let body = 0;
    for (let i = 0; i < count && live(); i++) {
      if (stream.stallAfter !== undefined && body >= stream.stallAfter) return;
      if (stream.delayMs) await new Promise((r) => setTimeout(r, stream.delayMs));
      if (!live()) break;
      const chunk = stream.bytes
        ? stream.bytes.subarray(i * stream.chunkBytes, (i + 1) * stream.chunkBytes)
        : spaces;
      body += chunk.length;
      await this.#write(chunk);
    }
    if (stream.stallAfter !== undefined) return;
    if (!this.#done && !outgoing.destroyed) {
      if (this.#responded) outgoing.destroy();
      else outgoing.end();
    }
  }

  /** Writes a chunk, waiting for the socket to drain (or close) when its buffer is full. */
  async #write(chunk: Uint8Array): Promise<void> {
    const outgoing = this.#outgoing;
    this.#sent += chunk.length;
    if (!outgoing.write(chunk)) {
      await new Promise<void>((r) => {
        const go = () => {
          outgoing.off('drain', go);
          outgoing.off('close', go);
          r();
        };
        outgoing.on('drain', go);
        outgoing.on('close', go);
      });
    }
  }
}

/** The request's headers, with the framing its body needs. */
function headersOf(req: RawRequest): Record<string, string> {
  // Keep-alive as browsers and curl send it (a client without an agent would send "close", and a server
  // closing a connection with unread body bytes resets it, racing the answer on its way out).
  const headers: Record<string, string> = { connection: 'keep-alive', ...req.headers };
  const body = req.body;
  const streamed = body !== undefined && !(body instanceof Uint8Array);
  if (body instanceof Uint8Array && !req.chunked) headers['content-length'] = String(body.length);
  if (streamed || req.chunked) headers['transfer-encoding'] = 'chunked';
  return headers;
}

/** The body as text, decompressed as its Content-Encoding says (workerd compresses for Accept-Encoding). */
function decoded(bytes: Buffer, encoding: string): string {
  try {
    if (encoding === 'gzip') return gunzipSync(bytes).toString('utf8');
    if (encoding === 'br') return brotliDecompressSync(bytes).toString('utf8');
    if (encoding === 'deflate') return inflateSync(bytes).toString('utf8');
  } catch {
    return `(undecodable ${encoding} body of ${bytes.length} bytes)`;
  }
  return bytes.toString('utf8');
}

/**
 * Creates the onnxruntime-node session for a model file: CUDA first when asked (the default),
 * silently falling back to CPU where the CUDA provider library is not installed, and reporting
 * which provider is in use. Sessions load from the file path so ONNX external data files
 * resolve relative to the model's folder.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { OnnxModelError } from '../../shared/encoders/onnx/errors.ts';

export type ExecutionProvider = 'cuda' | 'cpu';

export interface SessionOptions {
  /** Try the CUDA provider before CPU (default true). */
  preferCuda?: boolean;
  /** CPU threads inside one operator (default: onnxruntime's choice, all cores). */
  intraOpThreads?: number;
}

export interface OpenedSession {
  readonly session: ort.InferenceSession;
  readonly provider: ExecutionProvider;
}

export async function openSession(modelPath: string, options: SessionOptions = {}): Promise<OpenedSession> {
  const base: ort.InferenceSession.SessionOptions = {
    graphOptimizationLevel: 'all',
    ...(options.intraOpThreads ? { intraOpNumThreads: options.intraOpThreads } : {}),
  };
  if (options.preferCuda !== false && cudaProviderInstalled()) {
    try {
      // Severity 4 (fatal only): a missing CUDA library is an expected, silent fallback.
      const session = await ort.InferenceSession.create(modelPath, {
        ...base,
        executionProviders: ['cuda', 'cpu'],
        logSeverityLevel: 4,
      });
      return { session, provider: 'cuda' };
    } catch {
      // fall through to CPU
    }
  }
  try {
    const session = await ort.InferenceSession.create(modelPath, { ...base, executionProviders: ['cpu'] });
    return { session, provider: 'cpu' };
  } catch (cause) {
    throw new OnnxModelError(
      'onnx_session_failed',
      `onnxruntime could not load ${modelPath}: ${(cause as Error).message}`,
      { cause },
    );
  }
}

/**
 * Whether onnxruntime-node's CUDA provider library is installed next to its binding (it is not
 * in the npm package; `ONNXRUNTIME_NODE_INSTALL=skip` leaves it out). Checking first avoids
 * onnxruntime printing a load error on every CPU-only machine.
 */
export function cudaProviderInstalled(): boolean {
  try {
    const root = dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json'));
    return existsSync(
      join(root, 'bin', 'napi-v6', process.platform, process.arch, 'libonnxruntime_providers_cuda.so'),
    );
  } catch {
    return false;
  }
}

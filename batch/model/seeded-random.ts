/**
 * A tiny deterministic PRNG (mulberry32) with a normal sampler, so that generated fixture models
 * and tokenizers are byte-identical from run to run and machine to machine: tests can then pin
 * behaviour (and the encoder fingerprint) without storing binary fixtures in git.
 */
import { mulberry32 } from '../../shared/random.ts';

export class SeededRandom {
  /** Uniform in [0, 1). */
  readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }

  /** Standard normal via Box-Muller (one value per call; simplicity beats speed for fixtures). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** `count` normal values scaled by `std`. */
  normals(count: number, std: number): Float32Array {
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = this.normal() * std;
    return out;
  }

  int(maxExclusive: number): number {
    return Math.floor(this.next() * maxExclusive);
  }
}

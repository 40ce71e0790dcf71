import type { Hash } from 'node:crypto';
import { Transform, pipeline, type Readable, type Writable } from 'node:stream';

/**
 * `source` piped into every one of `targets`, at the pace of the slowest, with an error on the
 * source ending each target with it (plain `pipe` would leave them waiting forever).
 */
export function teeInto(source: Readable, targets: readonly Writable[]): void {
  for (const target of targets) source.pipe(target);
  source.on('error', (error) => {
    for (const target of targets) target.destroy(error);
  });
}

/** Passes bytes through unchanged, adding each chunk to `hash` on the way. */
export function hashingTransform(hash: Hash): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      callback(null, chunk);
    },
  });
}

/** `source` piped into `target`, with an error on either side destroying both. */
export function pipelineInto(source: Readable, target: Transform): Transform {
  pipeline(source, target, () => {
    // Errors reach the consumer through `target`'s own 'error' event.
  });
  return target;
}

import { z } from 'zod';
import { progressRecord, stagingObject, type StagingLayout } from '../../layout.ts';
import { sourceDifferences, type SourceIdentity } from '../../marker.ts';
import type { ObjectStore } from '../../s3/object-store.ts';
import { formatS3Uri, type S3Location } from '../../s3/uri.ts';

/** One object a run already staged under the prefix, as it recorded it. */
export interface StagedEntry {
  /** Relative to the staging prefix: `models/…`, `source/…`. */
  readonly path: string;
  readonly sizeBytes: number;
  /** Null for the archive copy, whose hash is known only at the end of the pass. */
  readonly sha256: string | null;
  readonly etag: string;
}

const RecordSchema = z.object({
  schema_version: z.literal(2),
  run_id: z.string(),
  updated_at: z.string(),
  source: z.object({
    mode: z.string(),
    sourceUri: z.string(),
    sourceEtag: z.string(),
    sourceSizeBytes: z.number(),
    containers: z.string(),
  }),
  staged: z.array(
    z.object({ path: z.string(), size_bytes: z.number(), sha256: z.string().nullable(), etag: z.string() }),
  ),
});

/**
 * The in-progress record next to a staging (`staging_in_progress.json`): what a full-mode run has
 * staged so far, so a re-run of the same source on any runner skips what already landed. It is
 * rewritten after each object and removed once the marker is written.
 */
export class StagingProgress {
  readonly #store: ObjectStore;
  readonly #location: S3Location;
  readonly #source: SourceIdentity;
  readonly #runId: string;
  readonly #staged = new Map<string, StagedEntry>();
  readonly #onChange: (staged: readonly StagedEntry[]) => void;
  #writes: Promise<void> = Promise.resolve();
  #closed = false;
  /** Paths a record in S3 lists: what a re-run will reuse. */
  readonly #persisted = new Set<string>();

  constructor(
    store: ObjectStore,
    layout: StagingLayout,
    source: SourceIdentity,
    runId: string,
    reused: Iterable<StagedEntry>,
    onChange: (staged: readonly StagedEntry[]) => void = () => {},
  ) {
    this.#store = store;
    this.#onChange = onChange;
    this.#location = progressRecord(layout);
    this.#source = source;
    this.#runId = runId;
    for (const entry of reused) {
      this.#staged.set(entry.path, entry);
      this.#persisted.add(entry.path);
    }
  }

  /** Whether the record in S3 lists `path`, so that a re-run would reuse it. */
  persists(path: string): boolean {
    return this.#persisted.has(path);
  }

  /** Records one more staged object; writes are queued so the record is never older than a completed one. */
  add(entry: StagedEntry): Promise<void> {
    // Removed already (the staging completed or was rejected): a late write must not bring it back.
    if (this.#closed) return Promise.resolve();
    this.#staged.set(entry.path, entry);
    this.#onChange([...this.#staged.values()]);
    const body = this.#serialise();
    const listed = [...this.#staged.keys()];
    this.#writes = this.#writes.then(async () => {
      await this.#store.putText(this.#location, body, 'application/json', 'the in-progress record');
      for (const path of listed) this.#persisted.add(path);
    });
    return this.#writes;
  }

  /** The staging is complete, or its archive rejected: the record has served its purpose. */
  async remove(store: ObjectStore = this.#store): Promise<void> {
    this.#closed = true;
    await this.#writes.catch(() => undefined);
    await store.delete(this.#location, 'the in-progress record');
  }

  #serialise(): string {
    return `${JSON.stringify(
      {
        schema_version: 2,
        run_id: this.#runId,
        updated_at: new Date().toISOString(),
        source: this.#source,
        staged: [...this.#staged.values()].map((entry) => ({
          path: entry.path,
          size_bytes: entry.sizeBytes,
          sha256: entry.sha256,
          etag: entry.etag,
        })),
      },
      null,
      2,
    )}\n`;
  }
}

/**
 * What an earlier run of the same source staged and is still there unchanged (HeadObject size
 * and ETag as recorded): those objects need not be staged again. Anything else, nothing.
 */
export async function reusableEntries(
  store: ObjectStore,
  layout: StagingLayout,
  source: SourceIdentity,
  log: (message: string) => void,
): Promise<StagedEntry[]> {
  const location = progressRecord(layout);
  if ((await store.head(location, 'the in-progress record')) === undefined) return [];
  const parsed = RecordSchema.safeParse(safeJson(await store.getText(location, 'the in-progress record')));
  if (!parsed.success) {
    log(`Ignoring ${formatS3Uri(location)}: it is not an in-progress record this tool can read.`);
    return [];
  }
  if (sourceDifferences(parsed.data.source, source).length > 0) {
    log(`Ignoring ${formatS3Uri(location)}: it records another source; staging from the start.`);
    return [];
  }
  const checked = await Promise.all(
    parsed.data.staged.map(async (entry) => {
      const info = await store.head(stagingObject(layout, entry.path), entry.path);
      const unchanged = info !== undefined && info.size === entry.size_bytes && (entry.etag === '' || info.etag === entry.etag);
      return unchanged ? [{ path: entry.path, sizeBytes: entry.size_bytes, sha256: entry.sha256, etag: info.etag }] : [];
    }),
  );
  const reusable = checked.flat();
  if (reusable.length > 0) log(`Continuing run ${parsed.data.run_id}: ${reusable.length} object(s) already staged and unchanged.`);
  return reusable;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ValidationError } from '../../errors.ts';
import type { PinnedDownload } from './plan.ts';

/** The manifest's name, beside the files it lists. */
export const MANIFEST_NAME = 'fetch-manifest.json';
/** A file being written: renamed to its own name only once its hash is proven. */
const PARTIAL_SUFFIX = '.riva-fetch-partial';
/** Beside a partial file: which pinned object it holds the first bytes of, so a re-run continues only that. */
const SIDECAR_SUFFIX = `${PARTIAL_SUFFIX}.json`;

/** One file the fetch placed in the destination. */
export interface ManifestEntry {
  /** Relative to the destination, `/`-separated. */
  readonly path: string;
  readonly size_bytes: number;
  readonly sha256: string;
  /** The object it was downloaded from; null for a file extracted from the archive. */
  readonly uri: string | null;
  /** The ETag the object was pinned to (null for an extracted file). */
  readonly etag: string | null;
  /** For an extracted file: the archive (its path in the destination) it came out of. */
  readonly extracted_from?: string;
}

/** `fetch-manifest.json`: what a fetch placed in the destination, and the document it was fetched by. */
export interface Manifest {
  readonly tool: 'riva-130-stage';
  readonly metadata_uri: string;
  readonly metadata_sha256: string;
  readonly artifact_id: string;
  /** False while a fetch is under way or after it failed: only the listed files are whole and verified. */
  readonly complete: boolean;
  readonly files: readonly ManifestEntry[];
}

/** What a partial file's sidecar records: the pin of the object whose first bytes it holds. */
interface PartialRecord {
  readonly uri: string;
  readonly etag: string;
  readonly version_id: string | null;
  readonly size_bytes: number;
}

/**
 * The local directory a fetch writes to: the only module that touches it. Every file is written
 * under a temporary name and renamed only once its SHA-256 is proven; every temporary name this
 * run made is tracked, so that a failure (or cancellation) removes all of them at once.
 */
export class FetchDestination {
  readonly directory: string;
  readonly manifestPath: string;
  readonly #temporaries = new Set<string>();

  constructor(directory: string) {
    this.directory = resolve(directory);
    this.manifestPath = join(this.directory, MANIFEST_NAME);
    mkdirSync(this.directory, { recursive: true });
  }

  /** The absolute path of a file of the staging; a path that would leave the destination is refused. */
  pathOf(path: string): string {
    const absolute = resolve(this.directory, ...path.split('/'));
    const inside = relative(this.directory, absolute);
    if (inside === '' || inside.startsWith('..') || isAbsolute(inside) || inside === MANIFEST_NAME) {
      throw new ValidationError(`The staging lists ${JSON.stringify(path)}, which is no file inside the destination.`);
    }
    return absolute;
  }

  /** The manifest a previous fetch left here, if any (one that does not parse counts as none). */
  previousManifest(): Manifest | undefined {
    try {
      const parsed = JSON.parse(readFileSync(this.manifestPath, 'utf8')) as Partial<Manifest>;
      return parsed.tool === 'riva-130-stage' && Array.isArray(parsed.files) ? (parsed as Manifest) : undefined;
    } catch {
      return undefined;
    }
  }

  /** Writes the manifest atomically: readers see the previous one or this one, never half of one. */
  writeManifest(manifest: Manifest): void {
    const temporary = this.#temporary(this.manifestPath);
    writeFileSync(temporary, `${JSON.stringify(manifest, null, 2)}\n`);
    this.#rename(temporary, this.manifestPath);
  }

  /** Writes a small file of known content (the metadata document) under its temporary name, then its own. */
  writeVerified(path: string, content: string): void {
    const target = this.pathOf(path);
    mkdirSync(dirname(target), { recursive: true });
    const temporary = this.#temporary(target);
    writeFileSync(temporary, content);
    this.#rename(temporary, target);
  }

  /**
   * Where to write `download`, and from which byte: a partial file a killed run left for the
   * same pinned object is continued; any other is started over.
   */
  openPartial(download: PinnedDownload): { path: string; resumeFrom: number } {
    const target = this.pathOf(download.path);
    mkdirSync(dirname(target), { recursive: true });
    const path = this.#temporary(target);
    const sidecar = `${target}${SIDECAR_SUFFIX}`;
    this.#temporaries.add(sidecar);
    const record: PartialRecord = { uri: download.uri, etag: download.etag, version_id: download.versionId ?? null, size_bytes: download.sizeBytes };
    const size = existsSync(path) ? statSync(path).size : 0;
    const resumable = size > 0 && size <= download.sizeBytes && sameRecord(readRecord(sidecar), record);
    if (!resumable) {
      writeFileSync(path, '');
      writeFileSync(sidecar, JSON.stringify(record));
    }
    return { path, resumeFrom: resumable ? size : 0 };
  }

  /** A file proven whole and correct: it takes its own name, and its temporary names are gone. */
  keep(temporary: string, path: string): void {
    const target = this.pathOf(path);
    this.#rename(temporary, target);
    rmSync(`${target}${SIDECAR_SUFFIX}`, { force: true });
    this.#temporaries.delete(`${target}${SIDECAR_SUFFIX}`);
  }

  /** A temporary name for a file written in one go (an extracted entry). */
  temporaryFor(path: string): string {
    const target = this.pathOf(path);
    mkdirSync(dirname(target), { recursive: true });
    return this.#temporary(target);
  }

  /** Removes a file a previous fetch placed here that this staging does not hold. */
  remove(path: string): void {
    rmSync(this.pathOf(path), { force: true });
  }

  /** The SHA-256 and size of a file already in place, or undefined when there is none. */
  async existing(path: string): Promise<{ sha256: string; sizeBytes: number } | undefined> {
    const target = this.pathOf(path);
    if (!existsSync(target) || !statSync(target).isFile()) return undefined;
    return { sha256: await hashFile(target), sizeBytes: statSync(target).size };
  }

  /**
   * Removes every temporary file this run made: what a failure (or cancellation) must not leave
   * behind. Synchronous, so it completes before a cancelled process exits.
   */
  removeTemporaries(): string[] {
    const failed: string[] = [];
    for (const path of this.#temporaries) {
      try {
        rmSync(path, { force: true });
      } catch {
        failed.push(path);
      }
    }
    this.#temporaries.clear();
    return failed;
  }

  /** Temporary files a killed run left that no planned download continues: never part of a fetch. */
  removeStalePartials(planned: readonly PinnedDownload[]): void {
    const kept = new Set(planned.flatMap((download) => {
      const target = this.pathOf(download.path);
      return [`${target}${PARTIAL_SUFFIX}`, `${target}${SIDECAR_SUFFIX}`];
    }));
    for (const path of filesUnder(this.directory)) {
      if ((path.endsWith(PARTIAL_SUFFIX) || path.endsWith(SIDECAR_SUFFIX)) && !kept.has(path)) rmSync(path, { force: true });
    }
  }

  #temporary(target: string): string {
    const path = `${target}${PARTIAL_SUFFIX}`;
    this.#temporaries.add(path);
    return path;
  }

  #rename(temporary: string, target: string): void {
    renameSync(temporary, target);
    this.#temporaries.delete(temporary);
  }
}

/** The SHA-256 of a local file, streamed. */
export async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function readRecord(path: string): PartialRecord | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as PartialRecord;
  } catch {
    return undefined;
  }
}

function sameRecord(found: PartialRecord | undefined, wanted: PartialRecord): boolean {
  return (
    found !== undefined &&
    found.uri === wanted.uri &&
    found.etag === wanted.etag &&
    found.version_id === wanted.version_id &&
    found.size_bytes === wanted.size_bytes
  );
}

function filesUnder(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((path) => path.startsWith(`${directory}${sep}`));
}

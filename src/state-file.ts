import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { errorMessage } from './errors.ts';

/** In order; `lease` is taken only by a run that writes. */
export type PhaseName = 'discover' | 'plan' | 'lease' | 'write' | 'verify' | 'download';

export interface PhaseRecord {
  name: PhaseName;
  status: 'running' | 'done' | 'failed';
  started_at: string;
  finished_at?: string;
  duration_ms?: number;
  error?: string;
}

/**
 * The run's JSON record on disk (SPEC §4): each phase as it starts, ends or fails, and what the
 * run wrote, so a failed pipeline shows where it stopped and step 131 can read what happened.
 * Rewritten whole (write-then-rename) on every change, so a reader never sees half a file.
 *
 * The record serves the run; it never decides it. A write that fails (full disk, unwritable
 * folder) is told once to `onWriteError`, as a message naming the path, and the run goes on.
 */
export class StateFile {
  readonly path: string;
  readonly #document: Record<string, unknown>;
  readonly #phases: PhaseRecord[] = [];
  readonly #now: () => Date;
  readonly #onWriteError: (message: string) => void;
  #writeFailed = false;

  constructor(
    path: string,
    header: Record<string, unknown>,
    now: () => Date = () => new Date(),
    onWriteError: (message: string) => void = () => {},
  ) {
    this.path = path;
    this.#now = now;
    this.#onWriteError = onWriteError;
    this.#document = { ...header, status: 'running', phases: this.#phases };
    this.#save();
  }

  /** Runs one phase, recording its start, end, duration or failure. */
  async phase<T>(name: PhaseName, work: () => Promise<T>): Promise<T> {
    const started = this.#now();
    const record: PhaseRecord = { name, status: 'running', started_at: started.toISOString() };
    this.#phases.push(record);
    this.#save();
    try {
      const result = await work();
      this.#finish(record, started, 'done');
      return result;
    } catch (error) {
      this.#finish(record, started, 'failed');
      record.error = errorMessage(error);
      this.#document.status = 'failed';
      this.#document.failed_phase = name;
      this.#save();
      throw error;
    }
  }

  /** Adds or replaces top-level fields (status, outputs, written objects, …). */
  record(fields: Record<string, unknown>): void {
    Object.assign(this.#document, fields);
    this.#save();
  }

  /** The phase that was running, or failed, last. */
  get currentPhase(): PhaseName | undefined {
    return this.#phases.at(-1)?.name;
  }

  /** The last transfer progress recorded, e.g. "Reading the model archive: 42.0% (…)". */
  get lastProgress(): string | undefined {
    const progress = this.#document.progress;
    return typeof progress === 'string' ? progress : undefined;
  }

  /** Milliseconds each finished phase took. */
  durations(): Partial<Record<PhaseName, number>> {
    return Object.fromEntries(this.#phases.map((phase) => [phase.name, phase.duration_ms ?? 0]));
  }

  #finish(record: PhaseRecord, started: Date, status: PhaseRecord['status']): void {
    const finished = this.#now();
    record.status = status;
    record.finished_at = finished.toISOString();
    record.duration_ms = finished.getTime() - started.getTime();
    this.#save();
  }

  #save(): void {
    // A name of its own for each write: two runs on one host may share the path.
    const temporary = `${this.path}.${process.pid}-${randomBytes(6).toString('hex')}.tmp`;
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      writeFileSync(temporary, `${JSON.stringify(this.#document, null, 2)}\n`);
      renameSync(temporary, this.path);
    } catch (error) {
      this.#reportWriteError(error);
      try {
        rmSync(temporary, { force: true });
      } catch {
        // Nothing was written where nothing could be.
      }
    }
  }

  #reportWriteError(error: unknown): void {
    if (this.#writeFailed) return;
    this.#writeFailed = true;
    this.#onWriteError(
      `Could not write the state file ${this.path} (${errorMessage(error)}); the run goes on without it, ` +
        'so the file may be missing or out of date. Free space or fix the folder, or set `state-file` (RIVA_STAGE_STATE_FILE) to a writable path.',
    );
  }
}

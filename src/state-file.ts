import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { errorMessage } from './errors.ts';

/** In order; `lease` is taken only by a run that writes. */
export type PhaseName = 'discover' | 'plan' | 'lease' | 'write' | 'verify';

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
 */
export class StateFile {
  readonly path: string;
  readonly #document: Record<string, unknown>;
  readonly #phases: PhaseRecord[] = [];
  readonly #now: () => Date;

  constructor(path: string, header: Record<string, unknown>, now: () => Date = () => new Date()) {
    this.path = path;
    this.#now = now;
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
    mkdirSync(dirname(this.path), { recursive: true });
    const temporary = `${this.path}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(this.#document, null, 2)}\n`);
    renameSync(temporary, this.path);
  }
}

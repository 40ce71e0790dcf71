import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');

/**
 * What loading `entry` evaluates: the source files and packages reached through static imports
 * (`import type` is erased; a dynamic `import()` is where loading waits for a run to ask).
 */
function staticallyLoaded(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const source = ts.createSourceFile(file, readFileSync(join(ROOT, file), 'utf8'), ts.ScriptTarget.ES2023);
    for (const statement of source.statements) {
      const specifier = runtimeSpecifier(statement);
      if (specifier === undefined || specifier.startsWith('node:')) continue;
      if (specifier.startsWith('.')) visit(relative(ROOT, resolve(ROOT, dirname(file), specifier)));
      else packages.add(specifier);
    }
  };
  visit(entry);
  return { files, packages };
}

/** The module a statement loads when it runs: static imports and re-exports that are not type-only. */
function runtimeSpecifier(statement: ts.Statement): string | undefined {
  if (ts.isImportDeclaration(statement) && !statement.importClause?.isTypeOnly) return (statement.moduleSpecifier as ts.StringLiteral).text;
  if (ts.isExportDeclaration(statement) && !statement.isTypeOnly && statement.moduleSpecifier) return (statement.moduleSpecifier as ts.StringLiteral).text;
  return undefined;
}

/** Code only full mode, fetch or the Actions cache runs. */
const ARCHIVE_PIPELINE_FILES = ['src/operations/stage/full.ts', 'src/archive/model-archive.ts', 'src/operations/fetch/extract.ts', 'src/cache/actions-cache.ts'];
const ARCHIVE_PIPELINE_PACKAGES = ['tar', '@aws-sdk/lib-storage', '@actions/cache'];
const OPERATION_FILES = ['src/operations/stage/stage.ts', 'src/operations/verify.ts', 'src/operations/promote.ts', 'src/operations/list.ts', 'src/operations/delete.ts', 'src/operations/fetch/fetch.ts'];

describe('start-up loads only what a run uses', () => {
  it('sees what a module loads (the archive pipeline loads tar and the archive reader)', () => {
    const full = staticallyLoaded('src/operations/stage/full.ts');
    expect([...full.files]).toContain('src/archive/model-archive.ts');
    expect([...full.packages]).toContain('tar');
    expect([...staticallyLoaded('src/run.ts').packages]).toContain('@aws-sdk/client-s3');
  });

  for (const entry of ['src/main.ts', 'src/command-line/main.ts']) {
    it(`${entry} loads no operation before the configuration names one`, () => {
      const { files, packages } = staticallyLoaded(entry);
      expect(files).toContain('src/operations/index.ts');
      for (const file of [...OPERATION_FILES, ...ARCHIVE_PIPELINE_FILES]) expect(files, file).not.toContain(file);
      for (const name of ARCHIVE_PIPELINE_PACKAGES) expect(packages, name).not.toContain(name);
    });
  }

  for (const operation of ['src/operations/stage/stage.ts', 'src/operations/verify.ts', 'src/operations/promote.ts', 'src/operations/list.ts']) {
    it(`${operation} loads neither the archive pipeline, tar's reader nor lib-storage`, () => {
      const { files, packages } = staticallyLoaded(operation);
      for (const file of ARCHIVE_PIPELINE_FILES) expect(files, file).not.toContain(file);
      for (const name of ARCHIVE_PIPELINE_PACKAGES) expect(packages, name).not.toContain(name);
    });
  }
});

// README's generated parts: the inputs and outputs tables from action.yml, the command line's
// synopsis from its own option table, and the metadata document's fields from its schema, so none
// can drift from what it describes.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { usage } from '../../src/command-line/usage.ts';
import { metadataFieldsTable } from './metadata-fields.ts';
import { cell } from './table-cell.ts';

export interface ActionDefinition {
  readonly inputs: Record<string, { readonly description: string }>;
  readonly outputs: Record<string, { readonly description: string }>;
}

export const ACTION_YML = new URL('../../action.yml', import.meta.url);
export const README = new URL('../../README.md', import.meta.url);

export function readActionDefinition(): ActionDefinition {
  return parse(readFileSync(ACTION_YML, 'utf8')) as ActionDefinition;
}

/** Splits "Meaning. Falls back to A, then B. Default: x." into its parts. */
export function describeInput(description: string): { meaning: string; variables: string; defaultValue: string } {
  const text = description.replace(/\s+/g, ' ').trim();
  const fallback = /Falls back to (.+?)\.(?= |$)/.exec(text);
  const required = /(?:^| )Required\.$/.test(text);
  const defaultMatch = /Default: (.+?)\.?$/.exec(text);
  const meaning = text
    .replace(/ ?Falls back to .+?\.(?= |$)/, '')
    .replace(/ ?Default: .+$/, '')
    .replace(/ ?Required\.$/, '')
    .trim()
    .replace(/\.$/, '');
  const variables = fallback ? (fallback[1] ?? '').split(/, then |, | or /).map((name) => `\`${name}\``).join(', ') : '—';
  return { meaning, variables, defaultValue: required ? 'required' : (defaultMatch?.[1] ?? '—') };
}

export function inputsTable(action: ActionDefinition): string {
  const rows = Object.entries(action.inputs).map(([name, { description }]) => {
    const { meaning, variables, defaultValue } = describeInput(description);
    return `| \`${name}\` | ${variables} | ${cell(defaultValue)} | ${cell(meaning)} |`;
  });
  return ['| input | environment variable | default | meaning |', '|---|---|---|---|', ...rows].join('\n');
}

export function outputsTable(action: ActionDefinition): string {
  const rows = Object.entries(action.outputs).map(
    ([name, { description }]) => `| \`${name}\` | ${cell(description.replace(/\s+/g, ' ').trim())} |`,
  );
  return ['| output | meaning |', '|---|---|', ...rows].join('\n');
}

/** The command line's `--help`, as README shows it. */
export function commandLineSynopsis(): string {
  return ['```text', usage().trimEnd(), '```'].join('\n');
}

/** README with the text between `<!-- NAME:start (generated from SOURCE …) -->` and `<!-- NAME:end -->` replaced. */
export function withSection(readme: string, name: string, content: string, source = 'action.yml'): string {
  const start = `<!-- ${name}:start (generated from ${source} by npm run docs) -->`;
  const end = `<!-- ${name}:end -->`;
  const from = readme.indexOf(start);
  const to = readme.indexOf(end);
  if (from < 0 || to < from) throw new Error(`README.md has no ${name} section markers`);
  return `${readme.slice(0, from + start.length)}\n${content}\n${readme.slice(to)}`;
}

export function renderReadme(readme: string, action: ActionDefinition): string {
  const tables = withSection(withSection(readme, 'inputs', inputsTable(action)), 'outputs', outputsTable(action));
  const synopsis = withSection(tables, 'synopsis', commandLineSynopsis(), "the command line's option table");
  return withSection(synopsis, 'metadata', metadataFieldsTable(), 'the metadata schema');
}

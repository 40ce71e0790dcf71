// README's table of the metadata document's fields, from the zod schema (through its JSON
// Schema, the one published under schema/), so the table cannot drift from what is written.
import { metadataJsonSchema } from '../../src/metadata.ts';
import { cell } from './table-cell.ts';

interface JsonSchema {
  readonly type?: string;
  readonly const?: unknown;
  readonly enum?: readonly unknown[];
  readonly description?: string;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly items?: JsonSchema;
  readonly anyOf?: readonly JsonSchema[];
}

/** One row per field, nested ones by their path (`source.etag`, `files[].sha256`). */
export function metadataFieldsTable(schema: JsonSchema = metadataJsonSchema() as JsonSchema): string {
  const rows: string[] = [];
  const visit = (node: JsonSchema, prefix: string): void => {
    const required = new Set(node.required ?? []);
    for (const [name, field] of Object.entries(node.properties ?? {})) {
      const path = `${prefix}${name}`;
      const { shape, nullable } = withoutNull(field);
      const meaning = field.description ?? shape.description ?? '—';
      rows.push(`| \`${path}\` | ${typeOf(shape)}${nullable ? ', or null' : ''} | ${required.has(name) ? 'always' : 'optional'} | ${cell(meaning)} |`);
      if (shape.type === 'object') visit(shape, `${path}.`);
      if (shape.type === 'array' && shape.items?.type === 'object') visit(shape.items, `${path}[].`);
    }
  };
  visit(schema, '');
  return ['| field | type | in its object | meaning |', '|---|---|---|---|', ...rows].join('\n');
}

/** A nullable field is `anyOf: [shape, null]` in the JSON Schema. */
function withoutNull(field: JsonSchema): { shape: JsonSchema; nullable: boolean } {
  const alternatives = field.anyOf ?? [field];
  const shapes = alternatives.filter((alternative) => alternative.type !== 'null');
  if (shapes.length !== 1) throw new Error(`a metadata field of ${alternatives.length} shapes: describe it here first`);
  return { shape: shapes[0]!, nullable: shapes.length < alternatives.length };
}

function typeOf(shape: JsonSchema): string {
  if (shape.const !== undefined) return `\`${JSON.stringify(shape.const)}\``;
  if (shape.enum !== undefined) return `one of ${shape.enum.map((value) => `\`${String(value)}\``).join(', ')}`;
  if (shape.type === 'array') return shape.items?.type === 'object' ? 'array of objects' : `array of ${shape.items?.type ?? 'values'}`;
  if (shape.type === undefined) throw new Error('a metadata field without a type: describe it here first');
  return shape.type;
}

// `npm run docs`: regenerates README's inputs and outputs tables from action.yml, the command-line
// synopsis from the command line's option table, and the metadata fields table from the schema.
import { readFileSync, writeFileSync } from 'node:fs';
import { README, readActionDefinition, renderReadme } from './docs/action-tables.ts';

writeFileSync(README, renderReadme(readFileSync(README, 'utf8'), readActionDefinition()));

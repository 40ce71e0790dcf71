// Writes schema/deployment-metadata.schema.json from the zod schema in src/metadata.ts, the one
// definition of the document. A unit test fails when the committed file is stale.
import { writeFileSync } from 'node:fs';
import { metadataJsonSchema } from '../src/metadata.ts';

const path = new URL('../schema/deployment-metadata.schema.json', import.meta.url);
writeFileSync(path, `${JSON.stringify(metadataJsonSchema(), null, 2)}\n`);

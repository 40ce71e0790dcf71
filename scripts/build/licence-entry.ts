import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A file at a package's top that holds its licence text: LICENSE, LICENCE.md, COPYING, … */
const LICENCE_FILE = /^(licen[cs]e|copying)(\.|-|$)/i;

/**
 * One package's entry in licenses.txt, as ncc writes them: its name, its licence's identifier
 * (package.json's `license`), then its licence file's text, if it ships one (some of the AWS
 * SDK's packages carry only the identifier).
 */
export function licenceEntry(directory: string): string {
  const manifest = JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')) as { name: string; license?: string };
  const file = readdirSync(directory)
    .filter((name) => LICENCE_FILE.test(name))
    .sort()[0];
  const text = file === undefined ? '' : `${readFileSync(join(directory, file), 'utf8').trimEnd()}\n`;
  return `${manifest.name}\n${manifest.license ?? 'UNKNOWN'}\n${text}`;
}

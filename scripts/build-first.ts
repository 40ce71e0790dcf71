import buildBundle from '../test/build-bundle.ts';

/**
 * Builds dist/ from the sources, saying so first: the build takes a while and prints nothing,
 * and a script that sits silent looks stuck.
 */
export function buildFirst(): void {
  console.log('Building dist/ from the sources (npm run build; this takes a little while) …');
  buildBundle();
}

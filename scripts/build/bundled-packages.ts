import { resolve, sep } from 'node:path';

/** What of ncc's `--stats-out` (webpack's stats) this reads: every module, in every chunk. */
export interface BundleStats {
  readonly modules?: readonly StatsModule[];
}

interface StatsModule {
  /** The module's path relative to the build's directory, or `external "node:fs"`. */
  readonly name: string;
  /** The modules a concatenated module is made of (webpack joins ES modules into one). */
  readonly modules?: readonly StatsModule[];
}

const NODE_MODULES = `${sep}node_modules${sep}`;

/**
 * The directories of the packages whose code the bundles hold, under `root` (the build's
 * directory), each once, in order of package name: the packages licenses.txt must list.
 */
export function bundledPackages(bundles: readonly BundleStats[], root: string): string[] {
  const directories = new Set<string>();
  const visit = (modules: readonly StatsModule[]) => {
    for (const module of modules) {
      if (module.modules !== undefined && module.modules.length > 0) visit(module.modules);
      else {
        const directory = packageDirectory(resolve(root, module.name));
        if (directory !== undefined) directories.add(directory);
      }
    }
  };
  for (const bundle of bundles) visit(bundle.modules ?? []);
  return [...directories].sort((a, b) => packageName(a).localeCompare(packageName(b)) || a.localeCompare(b));
}

/** The package directory a file of node_modules belongs to (the innermost, for nested ones). */
export function packageDirectory(file: string): string | undefined {
  const at = file.lastIndexOf(NODE_MODULES);
  if (at === -1) return undefined;
  const start = at + NODE_MODULES.length;
  const segments = file.slice(start).split(sep);
  const nameSegments = segments[0]?.startsWith('@') ? 2 : 1;
  if (segments.length <= nameSegments) return undefined;
  return file.slice(0, start) + segments.slice(0, nameSegments).join(sep);
}

function packageName(directory: string): string {
  return directory.slice(directory.lastIndexOf(NODE_MODULES) + NODE_MODULES.length);
}

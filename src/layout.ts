import type { Mode, StageConfig } from './config/config.ts';
import { ConfigurationError, ValidationError } from './errors.ts';
import { printable } from './format.ts';
import { baseName, keyProblem, parseS3Uri, type S3Location } from './s3/uri.ts';

/**
 * Where a staging lives: the one place that builds a key. Every other module asks a layout for
 * a location (or a path relative to its prefix) instead of joining strings itself; a unit test
 * keeps key fragments out of the rest of `src/`.
 */
interface Places {
  /** The folder that holds this staging's metadata (and, in full mode, its files). */
  readonly prefix: S3Location;
  readonly metadata: S3Location;
  /** Written last: its presence means the staging is complete. */
  readonly marker: S3Location;
}

/** bintarball-reference: metadata beside the bintarball tree. */
export interface BintarballLayout extends Places {
  readonly mode: 'bintarball-reference';
}

/** reference-only, or a staging area whose mode is not known until its metadata is read. */
export interface ReferenceLayout extends Places {
  readonly mode: 'reference-only';
}

/** full: the staging area also holds the archive's copy, the `.riva` files and checksums. */
export interface FullLayout extends Places {
  readonly mode: 'full';
  /** The archive's copy, `source/<archive name>`. */
  readonly sourceCopy: S3Location;
  /** `checksums.sha256`. */
  readonly checksums: S3Location;
}

export type StagingLayout = BintarballLayout | ReferenceLayout | FullLayout;

/** Where a staging of a model version in an environment is: which tree, then the folder in it. */
export interface StagingTarget {
  readonly environment: string;
  readonly modelName: string;
  readonly modelVersion: string;
}

const BINTARBALL_MODELS_FOLDER = 'riva-models';
const METADATA_TREE = 'deployment-metadata/';
const MODEL_FILES_FOLDER = 'models/';
const SOURCE_FOLDER = 'source/';
const BINTARBALL_METADATA = 'deployment.json';
const STAGING_AREA_METADATA = 'artifact.json';
const CHECKSUMS_FILE = 'checksums.sha256';
/** The names a metadata document has, for messages that ask for one. */
export const METADATA_DOCUMENT_NAMES = [BINTARBALL_METADATA, STAGING_AREA_METADATA] as const;

type LayoutConfig = Pick<StageConfig, 'mode' | 'model' | 'bucket' | 'environment' | 'modelName' | 'modelVersion'>;

export function stagingLayout(config: LayoutConfig): StagingLayout {
  const target = targetFolder(config);
  if (config.mode === 'bintarball-reference') {
    return bintarballLayout(config.bucket, `${bintarballRoot(config.model.key)}${METADATA_TREE}${target}`);
  }
  const area = stagingAreaLayout(config.bucket, target);
  return config.mode === 'full' ? withArchive(area, baseName(config.model.key)) : area;
}

/** Both places a staging of this model can be, bintarball layout first (for `verify`, `promote`, `delete`). */
export function candidateLayouts(bucket: string, target: StagingTarget, root: string): [BintarballLayout, ReferenceLayout] {
  const folder = targetFolder(target);
  return [bintarballLayout(bucket, `${root}${METADATA_TREE}${folder}`), stagingAreaLayout(bucket, folder)];
}

/** The layout a metadata document belongs to, from its URI (deployment.json or artifact.json). */
export function layoutOfMetadata(metadata: S3Location): BintarballLayout | ReferenceLayout | undefined {
  const name = baseName(metadata.key);
  const prefix = metadata.key.slice(0, metadata.key.length - name.length);
  if (name === BINTARBALL_METADATA) return bintarballLayout(metadata.bucket, prefix);
  if (name === STAGING_AREA_METADATA) return stagingAreaLayout(metadata.bucket, prefix);
  return undefined;
}

/**
 * A staging found by its documents, once its metadata says what it holds: a staging area
 * written in full mode holds the archive's copy (named after the source archive) and checksums.
 */
export function layoutOfStaging(found: StagingLayout, metadata: { readonly mode: Mode; readonly source: { readonly uri: string } }): StagingLayout {
  if (found.mode === 'bintarball-reference' || metadata.mode !== 'full') return found;
  return withArchive(found, baseName(parseS3Uri(metadata.source.uri).key));
}

/** The same kind of staging as `source`, for another place (promote's target). */
export function sameLayoutAt(source: StagingLayout, candidates: [BintarballLayout, ReferenceLayout]): StagingLayout {
  const [bintarball, stagingArea] = candidates;
  if (source.mode === 'bintarball-reference') return bintarball;
  return source.mode === 'full' ? withArchive(stagingArea, baseName(source.sourceCopy.key)) : stagingArea;
}

/** An object under the staging prefix, by its path relative to it (as metadata and records list it). */
export function stagingObject(layout: StagingLayout, path: string): S3Location {
  return { bucket: layout.prefix.bucket, key: `${layout.prefix.key}${path}` };
}

/** A key's path relative to the staging prefix, as `checksums.sha256` lists it. */
export function relativeToPrefix(layout: StagingLayout, location: S3Location): string {
  return location.key.slice(layout.prefix.key.length);
}

/**
 * Full mode: where a `.riva` file of the archive is staged, and its path in the metadata. An
 * entry whose key S3 would refuse (over 1024 bytes) is refused here, before its upload.
 */
export function stagedModelFile(layout: FullLayout, archivePath: string): { path: string; location: S3Location } {
  const path = `${MODEL_FILES_FOLDER}${archivePath}`;
  const location = stagingObject(layout, path);
  const problem = keyProblem(location.key);
  if (problem !== undefined) throw new ValidationError(`The archive entry ${printable(archivePath)} cannot be staged: its key ${problem}.`);
  return { path, location };
}

/** Full mode: the folder under which the `.riva` files are staged, for messages. */
export function modelFilesFolder(layout: FullLayout): S3Location {
  return stagingObject(layout, MODEL_FILES_FOLDER);
}

/** The lease record of the one run writing this staging (see operations/lease.ts). */
export function leaseRecord(layout: StagingLayout): S3Location {
  return stagingObject(layout, 'staging_lease.json');
}

/** The in-progress record of a full-mode staging that has not completed yet. */
export function progressRecord(layout: StagingLayout): S3Location {
  return stagingObject(layout, 'staging_in_progress.json');
}

/**
 * Where an earlier staging at this place may have left objects of its own: the folders full
 * mode writes into and its checksums file. A new staging removes what of these it does not
 * list; nothing else under the prefix is the tool's to remove.
 */
export function replaceableContent(layout: StagingLayout): { readonly folders: readonly S3Location[]; readonly files: readonly S3Location[] } {
  return {
    folders: [stagingObject(layout, MODEL_FILES_FOLDER), stagingObject(layout, SOURCE_FOLDER)],
    files: [stagingObject(layout, CHECKSUMS_FILE)],
  };
}

/** Full mode: every object a staging consists of besides its metadata and marker, in write order. */
export function stagedObjects(
  layout: FullLayout,
  files: ReadonlyArray<{ readonly path: string }>,
): Array<{ readonly path: string; readonly location: S3Location; readonly what: string }> {
  const at = (location: S3Location, what: string) => ({ path: relativeToPrefix(layout, location), location, what });
  return [
    at(layout.sourceCopy, 'the archive copy'),
    ...files.map((file) => at(stagingObject(layout, file.path), file.path)),
    at(layout.checksums, 'the checksums file'),
  ];
}

/**
 * The two trees a bucket's stagings live in, each holding `<environment>/<model>/<version>/`
 * folders: the bintarball metadata tree under `root`, and the staging areas at the bucket's top.
 * `list` walks them; `candidateLayouts` names the layouts of one folder found there.
 */
export function stagingTrees(bucket: string, root: string): { readonly bintarball: S3Location; readonly stagingArea: S3Location } {
  return { bintarball: { bucket, key: `${root}${METADATA_TREE}` }, stagingArea: { bucket, key: '' } };
}

/**
 * The staging a key of a tree belongs to, when the key is one of its documents
 * (`<tree><environment>/<model>/<version>/<metadata or marker>`); undefined for any other key.
 * `tree` is one of `stagingTrees`, `root` the bintarball root they were made with.
 */
export function stagingOfKey(tree: S3Location, key: string, root: string): StagingTarget | undefined {
  if (!key.startsWith(tree.key)) return undefined;
  const [environment, modelName, modelVersion, name, ...rest] = key.slice(tree.key.length).split('/');
  if (environment === undefined || modelName === undefined || modelVersion === undefined || name === undefined || rest.length > 0) return undefined;
  const target = { environment, modelName, modelVersion };
  const layout = layoutInTree(tree, target, root);
  return key === layout.metadata.key || key === layout.marker.key ? target : undefined;
}

/** The layout of a staging found in `tree`: the bintarball layout in the metadata tree, a staging area at the top. */
export function layoutInTree(tree: S3Location, target: StagingTarget, root: string): BintarballLayout | ReferenceLayout {
  const [bintarball, stagingArea] = candidateLayouts(tree.bucket, target, root);
  return tree.key === stagingTrees(tree.bucket, root).bintarball.key ? bintarball : stagingArea;
}

/** The part of a tree that can hold stagings of `narrowing`: the environment's folder, the model's, the version's. */
export function narrowedPrefix(tree: S3Location, narrowing: Partial<StagingTarget>): S3Location {
  let key = tree.key;
  for (const segment of [narrowing.environment, narrowing.modelName, narrowing.modelVersion]) {
    if (segment === undefined) break;
    key = `${key}${segment}/`;
  }
  return { bucket: tree.bucket, key };
}

function targetFolder(target: StagingTarget): string {
  return `${target.environment}/${target.modelName}/${target.modelVersion}/`;
}

function bintarballLayout(bucket: string, prefix: string): BintarballLayout {
  return {
    mode: 'bintarball-reference',
    prefix: { bucket, key: prefix },
    metadata: { bucket, key: `${prefix}${BINTARBALL_METADATA}` },
    marker: { bucket, key: `${prefix}deployment_ready.txt` },
  };
}

function stagingAreaLayout(bucket: string, prefix: string): ReferenceLayout {
  return {
    mode: 'reference-only',
    prefix: { bucket, key: prefix },
    metadata: { bucket, key: `${prefix}${STAGING_AREA_METADATA}` },
    marker: { bucket, key: `${prefix}staging_complete.txt` },
  };
}

function withArchive(area: Places, archiveName: string): FullLayout {
  const { prefix } = area;
  return {
    mode: 'full',
    prefix: area.prefix,
    metadata: area.metadata,
    marker: area.marker,
    sourceCopy: { bucket: prefix.bucket, key: `${prefix.key}${SOURCE_FOLDER}${archiveName}` },
    checksums: { bucket: prefix.bucket, key: `${prefix.key}${CHECKSUMS_FILE}` },
  };
}

/**
 * The root of the bintarball tree: the part of the archive key before its `riva-models/`
 * folder (`bintarball/riva-models/parakeet/x.tar.gz` → `bintarball/`).
 */
export function bintarballRoot(archiveKey: string): string {
  const segments = archiveKey.split('/');
  const index = segments.lastIndexOf(BINTARBALL_MODELS_FOLDER, segments.length - 2);
  if (index < 0) {
    throw new ConfigurationError(
      `\`model-s3-uri\` (RIVA_ASR_MODEL_S3_URI): mode bintarball-reference needs the archive inside a ` +
        `"${BINTARBALL_MODELS_FOLDER}/" folder of the bintarball tree; got key "${archiveKey}". ` +
        'Move the archive there, or use mode reference-only.',
    );
  }
  return segments.slice(0, index).map((segment) => `${segment}/`).join('');
}

/** The bintarball root to look under: from the archive key when one is given, else `bintarball/`. */
export function bintarballRootOrDefault(archiveKey: string | undefined): string {
  return archiveKey === undefined ? 'bintarball/' : bintarballRoot(archiveKey);
}

/**
 * Where fetch places a staging's files in a local directory: the paths they have under a full
 * staging's prefix, whatever the layout. The archive by its name under `source/`, each extracted
 * `.riva` file under `models/`.
 */
export const fetchedPaths = {
  archive: (archiveName: string): string => `${SOURCE_FOLDER}${archiveName}`,
  modelFile: (archivePath: string): string => `${MODEL_FILES_FOLDER}${archivePath}`,
};

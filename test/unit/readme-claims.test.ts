// README's claims about behaviour, held to the code. Where a claim can be read mechanically
// (variables, flags, command lines, workflow blocks, file names, metadata fields, statuses,
// messages, numbers), a test below reads README and checks it against the code's own tables.
// Every other claim is in CLAIMS with the test that checks it; the ledger itself is checked:
// each section it names is in README and each test it points to exists.
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { README, readActionDefinition, renderReadme } from '../../scripts/docs/action-tables.ts';
import { metadataFieldsTable } from '../../scripts/docs/metadata-fields.ts';
import { ARCHIVE_HEAD_BYTES } from '../../src/archive/archive-head.ts';
import { defaultMaxInflatedBytes } from '../../src/archive/inflation-limit.ts';
import { EXIT_CANCELLED } from '../../src/cancellation.ts';
import { closestMatch } from '../../src/command-line/did-you-mean.ts';
import { knownFlagNames, parseCommandLine } from '../../src/command-line/flags.ts';
import {
  DEFAULT_LEASE_TTL_SECONDS, DEFAULT_MAX_ATTEMPTS, MODES, OPERATIONS, resolveConfig, type RunConfig,
} from '../../src/config/config.ts';
import { INPUTS, type InputKey } from '../../src/config/inputs.ts';
import { leaseRecord, progressRecord, stagingLayout, type StagingLayout } from '../../src/layout.ts';
import { serialiseMarker, type MarkerRecord } from '../../src/marker.ts';
import type { OperationResult } from '../../src/operations/index.ts';
import { jsonDetails } from '../../src/report/render.ts';
import { COMMAND_LINE_SPELLING } from '../../src/config/spelling.ts';
import { EXIT_UNSUPPORTED_NODE, MINIMUM_NODE_MAJOR } from '../../src/node-version.ts';
import { DEFAULT_STALL_TIMEOUT_MS } from '../../src/s3/client.ts';
import { MAX_STREAM_UPLOAD_BYTES, UPLOAD_MEMORY_BUDGET, partSizeFor, queueSizeFor } from '../../src/s3/multipart.ts';
import { SINGLE_COPY_LIMIT } from '../../src/s3/server-side-copy.ts';
import { MAX_KEY_BYTES } from '../../src/s3/uri.ts';
import { ARCHIVE_STORAGE_CLASSES, CANNED_ACLS, CHECKSUM_ALGORITHMS, ENCRYPTION_MODES, READABLE_STORAGE_CLASSES } from '../../src/s3/write-options.ts';
import { MANIFEST_NAME } from '../../src/operations/fetch/destination.ts';

const MIB = 1024 ** 2;
const GIB = 1024 ** 3;
const root = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');
const readme = readFileSync(README, 'utf8');

/** README as `## ` and `### ` sections: heading text (without the hashes) → body. */
function sections(text: string): Map<string, string> {
  const found = new Map<string, string>();
  const headings = [...text.matchAll(/^#{2,3} (.+)$/gm)];
  headings.forEach((heading, index) => {
    const start = heading.index + heading[0].length;
    const end = headings[index + 1]?.index ?? text.length;
    found.set(heading[1]!, text.slice(start, end));
  });
  return found;
}

const SECTIONS = sections(readme);
/** Performance and its sub-sections: measured figures, which `npm run bench` reproduces, not a test. */
const NOT_CHECKED_HERE = ['Performance', 'Results', 'Against the targets', 'Start-up'];
/** README without the sections this file does not check. */
const checked = [...SECTIONS].filter(([title]) => !NOT_CHECKED_HERE.includes(title)).map(([, body]) => body).join('\n');
/** The same with its line breaks as spaces, for phrases that wrap. */
const flat = (text: string) => text.replace(/\s+/g, ' ');

function section(title: string): string {
  const body = SECTIONS.get(title);
  if (body === undefined) throw new Error(`README has no section "${title}"`);
  return body;
}

function codeBlocks(text: string, language: string): string[] {
  return [...text.matchAll(new RegExp('^( *)```' + language + '\\n([\\s\\S]*?)^\\1```', 'gm'))].map((match) => match[2]!);
}

/** Text outside fenced code blocks. */
function prose(text: string): string {
  return text.replace(/^( *)```[\s\S]*?^\1```/gm, '');
}

/** Every string of src/, as one text: where a quoted message must be found. */
function sourceText(directory = 'src/'): string {
  return readdirSync(new URL(directory, root), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => readFileSync(`${entry.parentPath}/${entry.name}`, 'utf8'))
    .join('\n');
}

const SOURCE = sourceText();
/** What the repository's own scripts and test servers read (the test tier's variables, the benchmark's). */
const TOOLING = [sourceText('scripts/'), sourceText('test/helpers/'), sourceText('test/servers/'), read('test/servers/ceph-rgw-up.sh')].join('\n');

const CHECKS = {
  variables: 'every environment variable README names is one the code reads',
  noVariable: 'the inputs README says have no variable are the ones without one',
  flags: 'every flag README names is a flag of the command line, and its did-you-mean example holds',
  commandLines: 'every command line README shows parses, and resolves to a valid configuration',
  workflows: "every workflow block's riva-130-stage steps give only declared inputs, in a valid configuration",
  modes: 'every mode README names is a mode, and the mode table has a row for each',
  files: 'every staging file README names is one the layouts or fetch write',
  metadata: "every metadata field README names is in the published JSON Schema, at schema_version 2",
  metadataTable: "has the metadata fields table of the schema (run `npm run docs` after changing src/metadata.ts)",
  statuses: 'every status and output README names is one the code reports',
  messages: 'every message README quotes is one the code says',
  numbers: 'every number README states about limits and defaults is the one in the code',
  refusals: 'every input README says a mode refuses is refused, in either spelling',
  marker: "the completion marker's lines are the ones README lists",
  json: "--json's details per mode are the ones README lists",
  paths: 'every file and npm script README names exists',
  sandbox: "the sandbox's commands in README are the ones it prints, and the Node version is 24",
  writeSettings: 'the write settings table names each setting with its variable and exactly the values the code takes',
  tooling: "the development section's claims about lint, duplicates, the test servers and the workflows hold",
} as const;

type Pointer =
  | { readonly by: 'this file'; readonly test: (typeof CHECKS)[keyof typeof CHECKS] }
  | { readonly by: 'test'; readonly file: string; readonly test: string }
  | { readonly by: 'npm run docs'; readonly file: string; readonly test: string }
  | { readonly by: 'unchecked'; readonly why: string };

interface Claim {
  readonly section: string;
  readonly claim: string;
  readonly checks: readonly Pointer[];
}

const here = (test: (typeof CHECKS)[keyof typeof CHECKS]): Pointer => ({ by: 'this file', test });
const test = (file: string, name: string): Pointer => ({ by: 'test', file, test: name });
const unchecked = (why: string): Pointer => ({ by: 'unchecked', why });

/**
 * The claims ledger: README's claims about behaviour, section by section, each with what checks
 * it. The mechanical checks of this file cover every instance of their kind across README
 * (every variable, flag, file name …); the rows below name the rest.
 */
const CLAIMS: readonly Claim[] = [
  // Top and "Which mode do I want?"
  { section: 'riva-130-stage', claim: 'a complete staging of the same source is already-staged and writes nothing', checks: [test('test/operations/stage.test.ts', 'a re-run of the same source is already-staged and writes nothing')] },
  { section: 'riva-130-stage', claim: 'the marker is written last, so a failed run never looks complete', checks: [test('test/operations/stage.test.ts', 'writes the marker last')] },
  { section: 'riva-130-stage', claim: 'the reference modes move no model bytes', checks: [test('test/e2e/full-mode.test.ts', 'is already-staged on a re-run, reading nothing of the archive'), test('test/operations/stage.test.ts', 'writes nothing but the metadata and the marker, under the lease')] },
  { section: 'Which mode do I want?', claim: 'each mode, its flag, what it writes', checks: [here(CHECKS.modes), here(CHECKS.files), here(CHECKS.flags)] },
  { section: 'Which mode do I want?', claim: 'reference modes read the archive once only to hash it for expected-sha256 without an S3 checksum', checks: [test('test/operations/trust.test.ts', 'enforces expected-sha256 by hashing the archive')] },
  { section: 'Which mode do I want?', claim: 'promote moves no bytes: server-side copies', checks: [test('test/operations/promote.test.ts', 'copies every object server-side, then writes the metadata, then the marker')] },
  // Try it
  { section: 'Try it', claim: 'npm run sandbox prints exports and three commands that exit 0; --check runs them', checks: [test('test/e2e/sandbox.test.ts', 'every command the sandbox prints exits 0')] },
  { section: 'Try it', claim: 'the sandbox commands', checks: [here(CHECKS.commandLines), here(CHECKS.sandbox)] },
  { section: 'Try it', claim: 'scripts and tests run on Node 24, installed by the node devDependency', checks: [here(CHECKS.sandbox)] },
  { section: 'Try it', claim: 'npm start shows each mode and the bucket on disk', checks: [unchecked('the demo is a script for people to read; its output is not asserted')] },
  // Modes
  { section: 'Modes', claim: 'every mode checks the archive head (64 KiB): gzip, a first tar header with a sane name', checks: [test('test/e2e/trust.test.ts', 'refuses %s, writing no metadata and no marker'), test('test/unit/archive-head.test.ts', 'reads 64 KiB by default'), here(CHECKS.numbers)] },
  { section: 'Modes', claim: 'a wrong expected-sha256 fails before anything is written, in every mode', checks: [test('test/e2e/trust.test.ts', 'expected-sha256 is enforced in every mode'), test('test/e2e/full-mode.test.ts', 'fails when the archive does not hash to expected-sha256, staging nothing')] },
  { section: 'Modes', claim: 'verify pins the archive and staged copies by ETag', checks: [test('test/e2e/verify.test.ts', 'catches a same-size replacement by its ETag, without re-hashing')] },
  { section: '`bintarball-reference` (default, recommended)', claim: 'metadata under <root>deployment-metadata/<env>/<model>/<version>/; the root is the key before riva-models/', checks: [test('test/unit/layout.test.ts', 'puts bintarball-reference metadata under deployment-metadata beside the tree'), test('test/unit/layout.test.ts', 'is the part of the key before riva-models/'), here(CHECKS.files)] },
  { section: '`reference-only`', claim: 'artifact.json and staging_complete.txt under <env>/<model>/<version>/', checks: [test('test/e2e/reference-modes.test.ts', 'writes artifact.json and staging_complete.txt under <env>/<model>/<version>/'), here(CHECKS.files)] },
  { section: '`full`', claim: 'the staging holds source/<archive>, models/<path>.riva, checksums.sha256 in sha256sum -c format', checks: [test('test/e2e/full-mode.test.ts', 'stages the archive copy, every .riva file, checksums, metadata and marker in one pass'), here(CHECKS.files)] },
  { section: '`full`', claim: 'the archive is read once; 8 MiB parts, 4 in flight; larger parts over 70 GiB; at most 32 MiB per upload; 140.63 GiB refused', checks: [test('test/unit/multipart.test.ts', 'uses 8 MiB parts, 4 in flight, up to 70 GiB'), test('test/unit/multipart.test.ts', 'tops out at 9,000 parts of 16 MiB: 140.63 GiB'), here(CHECKS.numbers)] },
  { section: '`full`', claim: 'nothing but the cache touches the disk; memory bounded whatever the size an entry claims', checks: [test('test/e2e/bounds.test.ts', 'uploads an entry claiming 140 GiB in 16 MiB parts, two in flight'), test('test/e2e/cache.test.ts', 'writes nothing to the cache with cache: false')] },
  { section: '`full`', claim: 'the archive copy is server-side (CopyObject up to 5 GiB, UploadPartCopy above), pinned to its ETag; uploaded from the download where copy is not implemented', checks: [test('test/e2e/server-side-copy.test.ts', 'copies part by part (UploadPartCopy) above the single-copy limit'), test('test/e2e/server-side-copy.test.ts', 'refuses to copy a source whose ETag changed'), test('test/e2e/full-mode.test.ts', 'uploads the archive from the same download when the server cannot copy server-side'), here(CHECKS.numbers)] },
  { section: '`full`', claim: 'a broken download resumes from the byte it reached', checks: [test('test/e2e/full-mode.test.ts', 'resumes a download cut mid-archive from the byte it reached')] },
  { section: '`full`', claim: 'unsafe entries (absolute, .., control characters, links, devices) and duplicates reject the archive; other files are skipped and listed', checks: [test('test/e2e/full-mode.test.ts', 'rejects %s clearly, with no marker, no staged file and no open upload'), test('test/e2e/trust.test.ts', 'rejects an archive holding both a.riva and ./a.riva'), test('test/unit/model-archive.test.ts', 'hands over each .riva file under its relative path and lists the files it skips')] },
  { section: '`full`', claim: 'max-inflated-bytes: the larger of 16× and 1 GiB, every entry counted; a claim past it is refused before sizing', checks: [test('test/unit/inflation-limit.test.ts', 'is 16× the archive, and at least 1 GiB'), test('test/unit/model-archive.test.ts', 'counts skipped entries too'), test('test/e2e/bounds.test.ts', 'refuses an entry claiming 2 TiB under the default limit'), here(CHECKS.numbers)] },
  { section: '`full`', claim: 'a rejected archive leaves nothing; other failures abort uploads and write no marker', checks: [test('test/operations/failure.test.ts', 'a rejected archive leaves nothing, in every interleaving'), test('test/operations/failure.test.ts', 'uploads aborted, what landed kept for the re-run, no marker')] },
  // verify
  { section: '`verify`: check a staging before deploying it', claim: 'marker names the document SHA-256; the document is the one asked for; every pinned object has its size, ETag (and SHA-256); checksums.sha256 matches', checks: [test('test/operations/verify.test.ts', 'reports a metadata document that is not the one the marker vouches for'), test('test/e2e/trust.test.ts', 'fails when the document (and its marker) describe another version'), test('test/operations/verify.test.ts', 'checks every staged file, the archive copy and each checksums entry of a full staging'), test('test/e2e/verify.test.ts', 'fails when the source archive was overwritten')] },
  { section: '`verify`: check a staging before deploying it', claim: 'deep re-hashes every object with a recorded SHA-256', checks: [test('test/operations/verify.test.ts', 'with deep, re-hashes every staged file and the archive copy'), test('test/e2e/verify.test.ts', 'checks the document named by deployment-json-uri, deeply')] },
  { section: '`verify`: check a staging before deploying it', claim: 'schema_version 1 is checked by size with a warning; both layouts → asks for deployment-json-uri', checks: [test('test/operations/trust.test.ts', 'verifies by size and warns that re-staging pins it'), test('test/e2e/trust.test.ts', 'asks for deployment-json-uri when the version is staged in both layouts')] },
  { section: '`verify`: check a staging before deploying it', claim: 'finds the document in either layout or from deployment-json-uri; status=verified; a mismatch fails listing each', checks: [test('test/operations/verify.test.ts', 'finds the staging from a deployment-json-uri'), test('test/e2e/verify.test.ts', 'fails, naming the object, when a staged file was replaced or deleted'), here(CHECKS.statuses), here(CHECKS.workflows)] },
  // promote
  { section: '`promote`: the same validated model in another environment, without moving bytes', claim: 'verifies the source, copies server-side pinned to recorded ETags (both headers), records promoted_from, metadata then verify then marker', checks: [test('test/operations/promote.test.ts', 'copies every object server-side, then writes the metadata, then the marker'), test('test/operations/promote.test.ts', 'records promoted_from'), test('test/e2e/server-side-copy.test.ts', "pins every copy request to the source ETag with both S3"), test('test/e2e/promote.test.ts', 'writes no marker when the promoted copy does not check out, and a re-run completes it')] },
  { section: '`promote`: the same validated model in another environment, without moving bytes', claim: 'repeat is already-staged; a different target needs force; a bad source is refused, nothing written', checks: [test('test/e2e/promote.test.ts', 'is already-staged when the same promotion is repeated'), test('test/operations/promote.test.ts', 'refuses to replace a different complete staging in the target unless forced'), test('test/e2e/promote.test.ts', 'refuses a tampered source staging and writes nothing')] },
  { section: '`promote`: the same validated model in another environment, without moving bytes', claim: 'to-bucket writes lease, metadata and marker in the target bucket; the environment may keep its name; a bintarball document references the source archives', checks: [test('test/operations/promote-across-buckets.test.ts', 'copies a full staging server-side into the target bucket'), test('test/operations/promote-across-buckets.test.ts', 'keeps the environment name when only the bucket changes'), test('test/operations/promote-across-buckets.test.ts', 'writes a bintarball-reference staging into the target bucket')] },
  // list, delete, fetch
  { section: '`list`: every staging in a bucket', claim: 'walks both trees, narrows, shows completeness, source and promoted_from; writes nothing; stagings output and --json', checks: [test('test/operations/list-delete.test.ts', 'finds the stagings of both layouts, bintarball tree first, and writes nothing'), test('test/operations/list-delete.test.ts', 'shows a promoted staging with where it came from'), test('test/e2e/list-delete.test.ts', 'CLI: --json prints one object with the stagings')] },
  { section: '`delete`: remove one staging', claim: 'marker first, metadata last; absent on a re-run; promoted-from refused unless force; dry-run lists; refused under another lease', checks: [test('test/operations/list-delete.test.ts', 'removes every object of one full staging, marker first and metadata last'), test('test/operations/list-delete.test.ts', 'reports an absent staging and removes nothing'), test('test/operations/list-delete.test.ts', 'refuses to delete a staging another environment was promoted from, unless forced'), test('test/operations/list-delete.test.ts', 'in a dry run, lists what it would remove'), test('test/operations/list-delete.test.ts', 'is refused while another run holds the staging')] },
  { section: '`fetch`: download a staging, pinned to what it records', claim: "verify's checks first; deployment-json-sha256 refused before a byte; full and reference layouts, extract under full mode's rules", checks: [test('test/operations/fetch.test.ts', 'refuses a staging without its completion marker'), test('test/operations/fetch.test.ts', 'refuses a document that is not the expected deployment-json-sha256 before downloading anything'), test('test/operations/fetch.test.ts', 'fetches the archive a %s staging references, and with extract its .riva files')] },
  { section: '`fetch`: download a staging, pinned to what it records', claim: '8 MiB ranged GETs with If-Match (and VersionId), at most 8 in memory; renamed only when the SHA-256 matches', checks: [test('test/operations/fetch.test.ts', 'reads every part with If-Match on the recorded ETag, in parallel ranged GETs'), test('test/operations/fetch.test.ts', 'reads the recorded version in a versioned bucket'), test('test/operations/fetch.test.ts', 'refuses bytes that do not hash to the recorded SHA-256'), here(CHECKS.numbers)] },
  { section: '`fetch`: download a staging, pinned to what it records', claim: 'fetch-manifest.json, complete only at the end; failures remove partial files; re-runs keep proven files and continue partial ones; strays removed', checks: [test('test/operations/fetch.test.ts', 'removes every temporary file when a download fails part-way, and the manifest lists what stays'), test('test/operations/fetch.test.ts', 'keeps whole proven files on a re-run and continues a partial file a killed run left'), test('test/operations/fetch.test.ts', 'removes what an earlier fetch of another staging placed'), test('test/e2e/fetch.test.ts', 'a cancelled fetch (SIGTERM) leaves no partly written file'), here(CHECKS.files)] },
  // Deploying, Usage, inputs
  { section: 'Deploying a staged model', claim: 'deployment-json-sha256 and deployment-json-version-id outputs; version_id recorded per object', checks: [test('test/operations/pinned-outputs.test.ts', 'records the version of every staged object and outputs the document version in a versioned bucket'), here(CHECKS.statuses), here(CHECKS.workflows)] },
  { section: 'Usage', claim: 'the workflow examples use declared inputs', checks: [here(CHECKS.workflows), test('test/unit/example-workflows.test.ts', 'is a workflow whose riva-130-stage steps use only declared inputs')] },
  { section: 'Usage', claim: 'precedence input > environment > env-file; .env read only when env-file names it; malformed lines warned by number', checks: [test('test/unit/config.test.ts', 'prefers an input to the environment, and the environment to the .env file'), test('test/e2e/inputs.test.ts', 'is read only when env-file names it; a malformed line is a warning naming its number'), here(CHECKS.noVariable)] },
  { section: 'Versions and pinning', claim: 'releases move vX; the release command refuses a dirty tree etc.', checks: [test('test/unit/release-rules.test.ts', 'refuses a changelog without an Unreleased section'), test('scripts/release-check.sh', "expect_refusal 'not greater than the current'"), unchecked('tag moves on GitHub are outside the repository; npm run release:check exercises them on a scratch clone')] },
  { section: 'Inputs', claim: 'the inputs table', checks: [{ by: 'npm run docs', file: 'test/unit/readme.test.ts', test: 'has the inputs and outputs tables of action.yml' }] },
  { section: 'Inputs', claim: 'names 1-128 safe characters; control characters refused, escaped; keys over 1024 bytes refused; no user:password@ in s3-endpoint; inputs of another mode fail, variables ignored', checks: [test('test/e2e/reference-modes.test.ts', 'rejects an unsafe version before any S3 request, naming the input and variable'), test('test/e2e/inputs.test.ts', 'a newline in model-s3-uri cannot forge a line of the marker'), test('test/unit/config.test.ts', 'refuses a staging whose fixed keys would be longer than S3 allows'), test('test/e2e/inputs.test.ts', 'an endpoint with user:password@ fails before any request'), test('test/e2e/inputs.test.ts', 'names inputs of another mode by their input names'), test('test/unit/config.test.ts', 'ignores variables of other modes'), here(CHECKS.numbers)] },
  { section: 'Outputs', claim: 'the outputs table', checks: [{ by: 'npm run docs', file: 'test/unit/readme.test.ts', test: 'has the inputs and outputs tables of action.yml' }, test('test/unit/action-definition.test.ts', 'declares every output of the spec')] },
  // Command line
  { section: 'Command line', claim: 'the synopsis', checks: [{ by: 'npm run docs', file: 'test/unit/readme.test.ts', test: "has the command line's synopsis from its option table" }] },
  { section: 'Command line', claim: 'every input is a flag of the same name with aliases; flag > environment > .env', checks: [test('test/unit/command-line.test.ts', 'has a flag for every input, named as the input, setting that input'), test('test/e2e/cli.test.ts', 'takes every value as a flag named as the input, ahead of the environment and of .env'), here(CHECKS.commandLines)] },
  { section: 'Command line', claim: 'unknown flag: exit 2 with did-you-mean; messages name flags; every line prefixed', checks: [test('test/unit/command-line.test.ts', 'suggests nothing for a word that is not close to any flag'), test('test/unit/spelling.test.ts', 'adds a switch instead of setting it, and names value flags'), test('test/e2e/cli.test.ts', 'prefixes every line of a report of several problems'), here(CHECKS.flags)] },
  { section: 'Command line', claim: 'an older Node: one line, exit 2, before the SDK loads', checks: [test('test/e2e/node-version.test.ts', 'the command line: one line on stderr, exit 2, nothing from the SDK'), test('test/e2e/node-version.test.ts', 'the action: one error annotation, exit 2, nothing from the SDK'), here(CHECKS.numbers)] },
  { section: 'Command line', claim: 'a flag of another mode is a usage error judged on the resolved mode', checks: [here(CHECKS.refusals), test('test/e2e/cli.test.ts', 'judges a flag on the mode the run resolved to'), test('test/unit/config.test.ts', 'the command line names flags, judged on the mode the run resolved to')] },
  { section: 'Command line', claim: 'a progress bar within the terminal width on a terminal, lines in a pipe', checks: [test('test/e2e/terminal.test.ts', 'fits 80 columns and redraws in place'), test('test/e2e/terminal.test.ts', 'fits 40 columns and redraws in place'), test('test/e2e/cli.test.ts', 'stages in each mode from the seed variables, with a plain summary and no escape codes off a terminal')] },
  { section: 'Command line', claim: '--json prints one object, logs on stderr', checks: [here(CHECKS.json), test('test/e2e/cli.test.ts', '--json prints one JSON object with the outputs and the metadata URI; logs go to stderr')] },
  { section: 'Command line', claim: 'RIVA_STAGE_DEBUG=1 shows retries', checks: [here(CHECKS.variables), test('test/e2e/cli-debug.test.ts', 'shows each retry on stderr when set, and none when not')] },
  // Write options
  { section: 'Encryption, ACL, storage class, tags and checksums', claim: 'every object a staging or promote writes carries the settings, uploads and copies alike', checks: [test('test/e2e/write-options.test.ts', 'sends the ACL, storage class and tags given with every object it writes, uploads and copies alike'), test('test/operations/write-options.test.ts', 'reach every object a full staging and its promotion write')] },
  { section: 'Encryption, ACL, storage class, tags and checksums', claim: 'the table: each setting, its variable, its values', checks: [here(CHECKS.writeSettings)] },
  { section: 'Encryption, ACL, storage class, tags and checksums', claim: 'the values each setting takes; KMS key and Bucket Key only with aws:kms; GLACIER and DEEP_ARCHIVE refused', checks: [test('test/unit/write-settings.test.ts', 'says which values each setting takes'), test('test/unit/write-settings.test.ts', 'takes a KMS key and Bucket Key only with SSE-KMS'), test('test/e2e/write-options.test.ts', 'refuses an archive storage class before writing anything')] },
  { section: 'Encryption, ACL, storage class, tags and checksums', claim: 'checksum default CRC32 on AWS, none with an endpoint; MD5 sends Content-MD5; a damaged part is sent again', checks: [test('test/unit/write-settings.test.ts', 'writes with the bucket defaults unless told, with the SDK checksum on AWS and none with an endpoint'), test('test/e2e/write-options.test.ts', 'has the damaged part refused with BadDigest, sends that part again')] },
  { section: 'Encryption, ACL, storage class, tags and checksums', claim: 'tags re-applied with PutObjectTagging after multipart uploads and copies', checks: [test('test/unit/write-settings.test.ts', 'stores uploads, copies and part-by-part copies alike'), unchecked('that Ceph RGW 16 drops tags sent with a copy is an observation about that server')] },
  // What a run does
  { section: 'What a run does', claim: 'a dry run checks the bucket; already-staged only when everything matches, else refused naming each difference; dry-run stops with planned', checks: [test('test/operations/inputs.test.ts', 'a missing target bucket is a NotFoundError naming it, not planned'), test('test/operations/trust.test.ts', 'a re-run over a staging whose file was replaced is refused, naming the file'), test('test/operations/stage.test.ts', 'a different source over a complete staging is a ConflictError that writes nothing'), test('test/operations/stage.test.ts', 'a dry run plans the documents and writes nothing')] },
  { section: 'What a run does', claim: 'force withdraws the old marker first; leftovers not in the new metadata are removed before the marker', checks: [test('test/operations/stage.test.ts', 'force re-stages a different source over a complete staging, withdrawing the old marker first'), test('test/operations/trust.test.ts', 'objects another source left under models/ and source/ are removed before the marker')] },
  { section: 'What a run does', claim: 'the state file records each phase, and the failing one', checks: [test('test/operations/stage.test.ts', 'records the run in the state file')] },
  // Cache and continuation
  { section: 'Re-running full mode: cache and continuation', claim: 'the cache key; an entry used only once proven (ETag recomputed, or SHA-256 vouched); a false entry discarded with a warning; unprovable passed over', checks: [test('test/unit/archive-cache.test.ts', 'changes with the archive URI, ETag and size'), test('test/operations/archive-source.test.ts', 'uses a genuine entry of a multipart object, with the part size from a HEAD of part 1'), test('test/operations/archive-source.test.ts', 'passes over an entry of an SSE-KMS object'), test('test/e2e/cache.test.ts', 'discards a corrupt entry with a warning and reads from S3')] },
  { section: 'Re-running full mode: cache and continuation', claim: 'where the cache lives: cache-dir, the Actions cache (else one notice), $XDG_CACHE_HOME/riva-130-stage on the command line; cache: false', checks: [test('test/unit/archive-cache.test.ts', 'uses the user cache directory on the command line'), test('test/unit/archive-cache.test.ts', 'uses the Actions cache when the runner provides the service, else says there is none'), test('test/e2e/cache.test.ts', 'writes nothing to the cache with cache: false')] },
  { section: 'Re-running full mode: cache and continuation', claim: "the Actions cache's upload starts once the marker and outputs are out; a failed save is a warning", checks: [test('test/e2e/actions-cache.test.ts', 'writes the marker without waiting for the upload to the cache'), test('test/e2e/actions-cache.test.ts', 'saves only once the outputs are set'), test('test/e2e/actions-cache.test.ts', 'stages, with a warning, when the cache service does not take the entry')] },
  { section: 'Re-running full mode: cache and continuation', claim: 'continuation: staging_in_progress.json, kept files not uploaded again, force starts over', checks: [test('test/e2e/continuation.test.ts', 'does not upload again what the failed run staged, and completes'), test('test/e2e/continuation.test.ts', 'starts over when the archive changed since the failed run'), here(CHECKS.files)] },
  // Reliability
  { section: 'Reliability', claim: 'retries: throttling, 5xx, resets with backoff up to max-attempts (default 5), counted, logged at debug level', checks: [test('test/e2e/faults.test.ts', 'recovers from throttled HeadObject, PutObject and UploadPart, and counts the retries'), test('test/e2e/faults.test.ts', 'fails after max-attempts on a persistent 500'), here(CHECKS.numbers)] },
  { section: 'Reliability', claim: 'a damaged part is sent again alone', checks: [test('test/e2e/faults.test.ts', 'resends only the part whose upload was cut'), test('test/e2e/write-options.test.ts', 'without a checksum, has the damaged part caught by the signed payload hash and sent again')] },
  { section: 'Reliability', claim: 'a silent connection counts as broken after 60 s (stall-timeout)', checks: [test('test/e2e/faults.test.ts', 'treats a silent connection as broken and resumes the download'), here(CHECKS.numbers)] },
  { section: 'Reliability', claim: 'timeout stops cleanly, naming the phase', checks: [test('test/e2e/faults.test.ts', 'stops cleanly when the timeout expires in the middle of full mode')] },
  { section: 'Reliability', claim: 'cancellation: exit 130 before SIGTERM, uploads aborted, lease released, state cancelled; a second signal ends at once', checks: [test('test/e2e/cancellation.test.ts', 'the action exits 130 before SIGTERM'), test('test/e2e/cancellation.test.ts', 'gives up on an unanswered abort within its budget'), test('test/e2e/cancellation.test.ts', 'ends the process at once, with 130'), here(CHECKS.numbers)] },
  { section: 'Reliability', claim: 'the first error is the answer; failed cleanup is a warning; a rejected archive leaves nothing', checks: [test('test/e2e/stock-server.test.ts', 'a failing upload ends with its own error, exit 1, no marker, and a warning naming each upload it could not abort'), test('test/e2e/fuzz.test.ts', 'damaged archives and failed uploads each stage and verify, or fail clean')] },
  { section: 'Reliability', claim: 'a state file that cannot be written is one warning', checks: [test('test/e2e/cli.test.ts', 'a state file it cannot write is one warning naming the path, and the staging succeeds')] },
  { section: 'Reliability', claim: 'the lease: If-None-Match, refreshed every quarter of lease-ttl (120 s), lost after half, server clock, same workflow run takes over, conditional takeover, warning where conditions are ignored', checks: [test('test/operations/lease.test.ts', 'acquire creates staging_lease.json under the staging prefix, naming the run'), test('test/operations/lease.test.ts', 'the timer refreshes every quarter of the TTL'), test('test/operations/lease.test.ts', 'stops writing once it has not refreshed for half the TTL'), test('test/operations/lease.test.ts', 'a second run is refused, naming the holder and its expiry by the server clock'), test('test/operations/lease.test.ts', 'takes over at once, though the lease has not expired'), test('test/operations/lease.test.ts', 'of two runs racing to take it over, exactly one wins'), test('test/operations/lease.test.ts', 'acquire succeeds and warns that concurrent runs are not excluded'), here(CHECKS.numbers)] },
  { section: 'Reliability', claim: 'credentials: empty AWS_PROFILE ignored; an undefined profile dropped with keys set; secrets masked', checks: [test('test/e2e/reference-modes.test.ts', 'ignores an empty AWS_PROFILE when keys are in the environment'), test('test/e2e/reference-modes.test.ts', 'masks the secret key and never prints it')] },
  { section: 'Reliability', claim: 'the marker is key=value text, its lines as listed', checks: [test('test/unit/marker.test.ts', 'round-trips and records the source it was staged from'), here(CHECKS.marker)] },
  // Metadata, proxies, regions, IAM, troubleshooting, development
  { section: 'Metadata document', claim: "the fields table, each field's type, presence and meaning", checks: [{ by: 'npm run docs', file: 'test/unit/readme-claims.test.ts', test: CHECKS.metadataTable }] },
  { section: 'Metadata document', claim: 'validated by zod before writing; the published JSON Schema is generated from it; unknown fields refused; version 1 still read', checks: [test('test/unit/metadata.test.ts', 'refuses to build a document that breaks the schema'), test('test/unit/metadata.test.ts', 'is the one generated from the zod schema'), test('test/unit/metadata.test.ts', 'refuses unknown fields and a version 2 document without ETags'), test('test/unit/metadata.test.ts', 'reads a schema version 1 document'), here(CHECKS.metadata)] },
  { section: 'Proxies', claim: 'input over variables; lower-case wins; NO_PROXY forms; metadata and container endpoints never proxied; everything goes through it; password masked', checks: [test('test/unit/network-config.test.ts', 'takes the input (or RIVA_STAGE_HTTP_PROXY) over the variables, for both schemes'), test('test/unit/network-config.test.ts', 'goes direct for NO_PROXY hosts'), test('test/unit/network-config.test.ts', 'never proxies the instance metadata service or the container credential endpoints'), test('test/e2e/proxy.test.ts', 'stages through the proxy on any server'), test('test/unit/network-config.test.ts', 'refuses a proxy that is not http(s), naming the input or the variable, with its password masked')] },
  { section: 'Regions', claim: 'an AWS region name without an endpoint, any plain name with one; redirects followed once and remembered', checks: [test('test/unit/network-config.test.ts', 'refuses %j without s3-endpoint'), test('test/e2e/regions.test.ts', 'stages from an archive bucket in another region'), test('test/e2e/regions.test.ts', 'reports a bucket that is not where the redirect says as a wrong region')] },
  { section: 'IAM policy', claim: 'a least-privilege policy per mode, and the cross-account role policy', checks: [test('test/unit/readme-iam-policy.test.ts', 'every request is allowed, and every grant is used'), test('test/e2e/iam-requests.test.ts', 'then verify --deep, fetch, promote, list and delete')] },
  { section: 'IAM policy', claim: 'the bucket policy of the source account, the write options and KMS permissions', checks: [unchecked('IAM evaluation of resource policies and KMS key policies needs AWS; the in-memory store has no permissions')] },
  { section: 'Troubleshooting', claim: 'the messages quoted', checks: [here(CHECKS.messages)] },
  { section: 'Development', claim: 'lint enforces the boundaries; a key fragment outside layout.ts fails a test; duplicates fail past 1 %', checks: [test('test/unit/key-ownership.test.ts', 'builds every staging key in layout.ts'), here(CHECKS.tooling)] },
  { section: 'Development', claim: 'RGW tier: a memstore of 4 GiB by default; CI runs both tiers; setup-node reads .node-version; s3rver-up.ts writes env and pid', checks: [here(CHECKS.tooling)] },
  { section: 'Development', claim: 'the source tree, the scripts and workflows named', checks: [here(CHECKS.paths)] },
  {
    section: 'Development',
    claim: "the bundles' chunks, their licence list, what each leaves out, and their sizes",
    checks: [
      test('test/e2e/actions-cache.test.ts', 'leave the Actions cache out of the command line, which never uses it'),
      test('test/e2e/actions-cache.test.ts', 'leave @actions/core and its HTTP client out of the command line, which writes no job summary'),
      test('test/e2e/actions-cache.test.ts', "keep the Actions cache out of the action's entry file, so that a run without it never compiles it"),
      test('test/e2e/actions-cache.test.ts', "list the licences of every package, the chunks' among them"),
      test('test/unit/bundled-packages.test.ts', 'are found in every chunk, inside concatenated modules too, each once and by name'),
      unchecked('the sizes in MB are measured figures'),
    ],
  },
  { section: 'Development', claim: 'the embedded server lacks ListMultipartUploads and AbortMultipartUpload, ignores conditional writes', checks: [test('test/e2e/stock-server.test.ts', 'warns about the probe upload it could not abort'), test('test/e2e/race.test.ts', 'it cannot on the embedded server')] },
];

describe('README claims ledger', () => {
  it('names sections README has, and tests that exist', () => {
    const titles = new Set([...SECTIONS.keys(), 'riva-130-stage']);
    for (const claim of CLAIMS) {
      expect(titles, claim.claim).toContain(claim.section);
      expect(claim.checks.length, claim.claim).toBeGreaterThan(0);
      for (const check of claim.checks) {
        if (check.by === 'this file') expect(Object.values(CHECKS)).toContain(check.test);
        if (check.by === 'test' || check.by === 'npm run docs') expect(read(check.file), `${claim.claim} → ${check.file}`).toContain(check.test);
        if (check.by === 'unchecked') expect(check.why.length).toBeGreaterThan(10);
      }
    }
  });

  it('has a row for every section but the ones it leaves to others', () => {
    const covered = new Set(CLAIMS.map((claim) => claim.section));
    const uncovered = [...SECTIONS.keys()].filter((title) => !covered.has(title) && !NOT_CHECKED_HERE.includes(title));
    expect(uncovered).toEqual([]);
  });
});

/** Every variable an input falls back to. */
const INPUT_VARIABLES = new Set<string>(Object.values(INPUTS).flatMap((input) => input.env));

/** A word that names an environment variable: an input's, or one of the families the code reads. */
function isVariableName(word: string): boolean {
  return INPUT_VARIABLES.has(word) || /^(RIVA|AWS|GITHUB|RUNNER|XDG)_[A-Z0-9_]+$/.test(word) || /^(https?|no)_proxy$/i.test(word);
}

/** Variables of the example workflows' own steps (set and read by those steps, not by the tool). */
const WORKFLOW_STEP_VARIABLES = ['GITHUB_ENV', 'GITHUB_REPOSITORY'];

describe('README against the code', () => {
  it(CHECKS.variables, () => {
    const yamlFree = checked.replace(/^( *)```yaml\n[\s\S]*?^\1```/gm, '');
    const named = new Set([...yamlFree.matchAll(/[A-Za-z][A-Za-z0-9_]*/g)].map(([word]) => word).filter(isVariableName));
    expect(named.size).toBeGreaterThan(40);
    const unread = [...named].filter((name) => !INPUT_VARIABLES.has(name) && !new RegExp(`\\b${name}\\b`).test(SOURCE) && !new RegExp(`\\b${name}\\b`).test(TOOLING));
    expect(unread, 'named in README, read by nothing').toEqual([]);
    // The workflows' own variables appear only in workflow blocks.
    for (const name of WORKFLOW_STEP_VARIABLES) expect(yamlFree).not.toMatch(new RegExp(`\\b${name}\\b`));
  });

  it(CHECKS.noVariable, () => {
    const without = Object.values(INPUTS).filter((input) => input.env.length === 0).map((input) => `\`${input.input}\``);
    expect(flat(section('Usage'))).toContain(`(the table names them; ${without.slice(0, -1).join(', ')} and ${without.at(-1)} have none)`);
  });

  it(CHECKS.flags, () => {
    const known = new Set(knownFlagNames());
    // Flags of other programs in README's examples, each with where it is used.
    const foreign: Record<string, RegExp> = {
      check: /npm run sandbox -- --check/,
      repo: /gh attestation verify .* --repo/,
      'predicate-type': /--predicate-type https:/,
      ful: /`--ful`: did you mean `--full`\?/,
    };
    const named = new Set([...checked.matchAll(/(?<![\w-])--([a-z][a-z0-9-]*)/g)].map((match) => match[1]!));
    expect(named.size).toBeGreaterThan(40);
    for (const name of named) {
      if (known.has(name)) continue;
      expect(Object.keys(foreign), `--${name} is no flag of riva-130-stage`).toContain(name);
      expect(flat(checked)).toMatch(foreign[name]!);
    }
    expect(known.has('ful')).toBe(false);
    expect(closestMatch('ful', [...known])).toBe('full');
  });

  it(CHECKS.commandLines, () => {
    // The seed pipeline's variables, as the examples export them before these commands.
    const env = {
      RIVA_ASR_MODEL_S3_URI: 's3://ml-artifacts/bintarball/riva-models/parakeet/parakeet-rnnt-riva-1-1b-en-us-deployable_v8.1.tar.gz',
      NVIDIA_DRIVERS_S3_BUCKET: 'ml-artifacts',
      RIVA_ASR_MODEL_NAME: 'parakeet-rnnt-en-us',
      MODEL_VERSION: 'v2025.09',
      ENV: 'prod',
      AWS_REGION: 'us-east-1',
      RIVA_DEPLOYMENT_JSON_SHA256: 'a'.repeat(64),
    };
    const commands = [...codeBlocks(checked, 'sh').join('\n').split('\n'), ...[...checked.matchAll(/`(riva-130-stage [^`]+)`/g)].map((match) => match[1]!)]
      .map((line) => line.replace(/\s+#.*$/, '').split('|')[0]!.trim())
      .filter((line) => /(?:^|\s)(?:dist\/cli\/index\.js|riva-130-stage)(?:\s|$)/.test(line));
    expect(commands.length).toBeGreaterThan(5);
    for (const command of commands) {
      const argv = command.split(/\s+/);
      const args = argv.slice(argv.findIndex((word) => /(?:dist\/cli\/index\.js|riva-130-stage)$/.test(word)) + 1);
      const parsed = parseCommandLine(args);
      if (parsed.tool.help || parsed.tool.docs || parsed.tool.version) continue;
      expect(() => resolveConfig({ inputs: parsed.inputs, env, envFile: {} }), command).not.toThrow();
    }
  });

  it(CHECKS.workflows, () => {
    const declared: string[] = Object.keys(readActionDefinition().inputs);
    const keyOf = new Map<string, InputKey>(Object.entries(INPUTS).map(([key, input]) => [input.input, key as InputKey]));
    // What a workflow's expressions stand for, by input.
    const expressions: Partial<Record<string, string>> = {
      'model-version': 'v1.0.0',
      'deployment-json-uri': 's3://ml-artifacts/prod/parakeet-rnnt-en-us/v1.0.0/artifact.json',
      'deployment-json-sha256': 'b'.repeat(64),
      mode: 'full',
    };
    // The variables a workflow's credentials step and the seed pipeline export for every step.
    const env = {
      AWS_REGION: 'us-east-1',
      RIVA_ASR_MODEL_S3_URI: 's3://ml-artifacts/bintarball/riva-models/parakeet/parakeet-rnnt-riva-1-1b-en-us-deployable_v8.1.tar.gz',
      NVIDIA_DRIVERS_S3_BUCKET: 'ml-artifacts',
      RIVA_ASR_MODEL_NAME: 'parakeet-rnnt-en-us',
      MODEL_VERSION: 'v2025.09',
      ENV: 'prod',
    };
    const steps: Record<string, unknown>[] = [];
    const collect = (value: unknown, isStepWith = false): void => {
      if (Array.isArray(value)) value.forEach((item) => collect(item));
      else if (value !== null && typeof value === 'object') {
        const object = value as Record<string, unknown>;
        if (typeof object.uses === 'string' && object.uses.startsWith('org/riva-130-stage@')) steps.push((object.with ?? {}) as Record<string, unknown>);
        else if (isStepWith && object.with !== undefined && object.uses === undefined) steps.push(object.with as Record<string, unknown>);
        else Object.values(object).forEach((item) => collect(item));
      }
    };
    for (const block of codeBlocks(checked, 'yaml')) {
      const indent = Math.min(...block.split('\n').filter((line) => line.trim() !== '').map((line) => /^ */.exec(line)![0].length));
      const text = block.split('\n').map((line) => line.slice(indent)).join('\n');
      collect(parse(text), true);
    }
    expect(steps.length).toBeGreaterThan(6);
    for (const step of steps) {
      const inputs: Partial<Record<InputKey, string>> = {};
      for (const [name, value] of Object.entries(step)) {
        expect(declared, `with.${name}`).toContain(name);
        // A placeholder such as <account-id> stands for a value of that shape.
        const text = String(value).replace(/<([a-z-]+)>/g, '$1');
        inputs[keyOf.get(name)!] = text.includes('${{') ? (expressions[name] ?? text.replace(/\$\{\{[^}]*\}\}/g, 'x')) : text;
      }
      expect(() => resolveConfig({ inputs, env, envFile: {} }), JSON.stringify(step)).not.toThrow();
    }
  });

  it(CHECKS.modes, () => {
    for (const [, mode] of checked.matchAll(/(?:^ *|`)mode: ([a-z-]+)/gm)) expect(OPERATIONS as readonly string[], `mode: ${mode}`).toContain(mode);
    const table = section('Which mode do I want?');
    const rows = table.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| You want'));
    expect(rows.map((row) => /^\| [^|]+ \| `([a-z-]+)`/.exec(row)?.[1])).toEqual([...OPERATIONS].sort((a, b) => table.indexOf(`\`${a}\``) - table.indexOf(`\`${b}\``)));
    expect(section('`bintarball-reference` (default, recommended)')).toBeDefined();
    // The default mode is the one README calls the default.
    const config = resolveConfig({ inputs: { modelS3Uri: 's3://ml-artifacts/bintarball/riva-models/m.tar.gz', bucket: 'ml-artifacts', modelName: 'm', modelVersion: 'v', environment: 'e', awsRegion: 'us-east-1', languageCode: 'en-US', architecture: 'rnnt' }, env: {}, envFile: {} });
    expect(config.operation === 'stage' && config.mode).toBe('bintarball-reference');
    expect(MODES[0]).toBe('bintarball-reference');
  });

  it(CHECKS.files, () => {
    const base = { modelS3Uri: 's3://ml-artifacts/bintarball/riva-models/parakeet/parakeet-rnnt-riva-1-1b-en-us-deployable_v8.1.tar.gz', bucket: 'ml-artifacts', modelName: 'parakeet-rnnt-en-us', modelVersion: 'v2025.09', environment: 'prod', awsRegion: 'us-east-1' };
    const layouts = MODES.map((mode) => {
      const config = resolveConfig({ inputs: { ...base, mode }, env: {}, envFile: {} }) as Extract<RunConfig, { operation: 'stage' }>;
      return stagingLayout(config);
    });
    const name = (key: string) => key.slice(key.lastIndexOf('/') + 1);
    const written = new Set(layouts.flatMap((layout: StagingLayout) => [layout.metadata, layout.marker, leaseRecord(layout), progressRecord(layout)].map((location) => name(location.key))));
    written.add('checksums.sha256');
    written.add(MANIFEST_NAME);
    // The names README gives staging files, wherever it gives them.
    const named = new Set([...checked.matchAll(/\b(deployment|artifact|staging_[a-z_]+|deployment_[a-z_]+|fetch-manifest|checksums)\.(json|txt|sha256)\b/g)].map((match) => match[0]));
    expect([...named].sort()).toEqual([...written].sort());
    // Each layout tree in README names its own metadata and marker.
    const [bintarball, referenceOnly, full] = layouts as [StagingLayout, StagingLayout, StagingLayout];
    expect(section('`bintarball-reference` (default, recommended)')).toContain(name(bintarball.marker.key));
    expect(section('`reference-only`')).toContain(name(referenceOnly.marker.key));
    expect(section('`full`')).toContain(name(full.metadata.key));
    expect(full.prefix.key).toBe('prod/parakeet-rnnt-en-us/v2025.09/');
    expect(bintarball.prefix.key).toBe('bintarball/deployment-metadata/prod/parakeet-rnnt-en-us/v2025.09/');
  });

  it(CHECKS.metadata, () => {
    const schema = JSON.parse(read('schema/deployment-metadata.schema.json')) as Record<string, unknown>;
    const properties = new Set<string>();
    const walk = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(walk);
      else if (value !== null && typeof value === 'object') {
        const object = value as Record<string, unknown>;
        if (object.properties !== null && typeof object.properties === 'object') Object.keys(object.properties).forEach((key) => properties.add(key));
        Object.values(object).forEach(walk);
      }
    };
    walk(schema);
    const text = section('Metadata document') + section('`promote`: the same validated model in another environment, without moving bytes') + section('Deploying a staged model') + section('`verify`: check a staging before deploying it');
    const fields = new Set([...prose(text).matchAll(/`([a-z]+(?:_[a-z0-9]+)+|files|source)(?:\.([a-z0-9_]+))?`/g)].flatMap((match) => [match[1]!, ...(match[2] ? [match[2]] : [])]));
    expect(fields.size).toBeGreaterThan(8);
    for (const field of fields) expect([...properties], field).toContain(field);
    expect((schema.properties as Record<string, { const?: number }>).schema_version?.const).toBe(2);
    expect(section('Metadata document')).toContain('`schema_version` is 2');
  });

  it(CHECKS.metadataTable, () => {
    const table = metadataFieldsTable();
    expect(readme).toContain(table);
    expect(table).toContain('| `files[].sha256` | string | always |');
    expect(table).toContain('| `promoted_from` | object | optional |');
    expect(table).toContain('| `source_copy` | object, or null | always |');
    // A README whose table drifted from the schema is not what rendering gives.
    const drifted = readme.replace('| `source.size_bytes` | integer |', '| `source.size_bytes` | string |');
    expect(drifted).not.toBe(readme);
    expect(renderReadme(drifted, readActionDefinition())).toBe(readme);
  });

  it(CHECKS.statuses, () => {
    const outputs = Object.keys(readActionDefinition().outputs);
    const statuses = ['staged', 'already-staged', 'planned', 'verified', 'failed', 'listed', 'deleted', 'absent', 'cancelled'];
    for (const status of statuses) expect(SOURCE, status).toContain(`'${status}'`);
    for (const [, status] of checked.matchAll(/`status[=:] ?([a-z-]+)`/g)) expect(statuses).toContain(status);
    for (const [, status] of prose(checked).matchAll(/reports? `([a-z-]+)`/g)) expect(statuses).toContain(status);
    // Outputs named in prose, outside the generated table.
    const proseOutputs = ['deployment-json-uri', 'deployment-json-sha256', 'deployment-json-version-id', 'fetch-directory', 'manifest-path', 'stagings', 'status'];
    for (const output of proseOutputs) {
      expect(outputs).toContain(output);
      expect(prose(checked)).toContain(`\`${output}\``);
    }
    expect(SOURCE).toContain("cancelled_phase");
  });

  it(CHECKS.messages, () => {
    // String pieces joined with + read as one; escaped backticks as backticks.
    const said = SOURCE.replace(/(['`])\s*\+\s*(['`])/g, '').replaceAll('\\`', '`');
    const rows = section('Troubleshooting').split('\n').filter((line) => line.startsWith('| `'));
    expect(rows.length).toBeGreaterThan(8);
    // Written by another program (the AWS SDK), quoted to be recognised.
    const others = ['The config profile (…) could not be found'];
    const fragments = rows.flatMap((row) =>
      [...row.split(' | ')[0]!.matchAll(/`([^`]+)`/g)]
        .map((match) => match[1]!)
        .filter((quoted) => !others.includes(quoted))
        // A quote's variable parts are … and its parenthesised details vary; the rest is said as is.
        .flatMap((quoted) => quoted.replace(/\([^)]*\)/g, '…').split(/…| \/ /))
        .map((fragment) => fragment.trim().replace(/^[;:,.\s]+|[;:,.\s]+$/g, ''))
        .filter((fragment) => fragment.split(' ').length >= 2),
    );
    expect(fragments.length).toBeGreaterThan(10);
    for (const fragment of fragments) expect(said.includes(fragment), `"${fragment}" (Troubleshooting) is said nowhere in src/`).toBe(true);
  });

  it(CHECKS.numbers, () => {
    const claims: readonly [string, boolean][] = [
      ['a ranged read of its head (64 KiB)', ARCHIVE_HEAD_BYTES === 64 * 1024],
      ['(multipart, 8 MiB parts, 4 in flight)', partSizeFor(GIB) === 8 * MIB && queueSizeFor(8 * MIB) === 4],
      ['a file over\n70 GiB gets larger parts (at most 16 MiB)', partSizeFor(70 * GIB) === 8 * MIB && partSizeFor(71 * GIB) > 8 * MIB && partSizeFor(MAX_STREAM_UPLOAD_BYTES) === 16 * MIB],
      ['never more than 32 MiB of\nparts per upload', UPLOAD_MEMORY_BUDGET === 32 * MIB && partSizeFor(MAX_STREAM_UPLOAD_BYTES) * queueSizeFor(16 * MIB) <= 32 * MIB],
      ['a file over 140.63 GiB (9,000 parts of 16 MiB)', MAX_STREAM_UPLOAD_BYTES === 9000 * 16 * MIB && (MAX_STREAM_UPLOAD_BYTES / GIB).toFixed(2) === '140.63'],
      ['(CopyObject up to 5 GiB,\nUploadPartCopy above)', SINGLE_COPY_LIMIT === 5 * GIB],
      ['the larger of 16× its size and 1 GiB', defaultMaxInflatedBytes(1) === GIB && defaultMaxInflatedBytes(GIB) === 16 * GIB],
      ['8 MiB ranged GETs', read('src/operations/fetch/fetch.ts').includes('const PART_SIZE = 8 * 1024 * 1024;')],
      ['At most 8 parts are in memory', read('src/operations/fetch/fetch.ts').includes('const PARTS_IN_FLIGHT = 8;')],
      ['up to `max-attempts` per request (default 5)', DEFAULT_MAX_ATTEMPTS === 5],
      ['a\n  connection that moves no byte for 60 s', DEFAULT_STALL_TIMEOUT_MS === 60_000],
      ['(`RIVA_STAGE_LEASE_TTL`, default\n  120 s)', DEFAULT_LEASE_TTL_SECONDS === 120],
      ['exit code 130', EXIT_CANCELLED === 130],
      ['print one\nline saying so and exit 2', EXIT_UNSUPPORTED_NODE === 2],
      ['than S3 allows (1024 bytes of UTF-8)', MAX_KEY_BYTES === 1024],
      ['1–128 letters, digits', slugLengthOk(128) && !slugLengthOk(129)],
    ];
    for (const [phrase, holds] of claims) {
      expect(flat(checked), phrase).toContain(flat(phrase));
      expect(holds, phrase).toBe(true);
    }
  });

  it(CHECKS.refusals, () => {
    const base = { modelS3Uri: 's3://ml-artifacts/bintarball/riva-models/parakeet/parakeet-rnnt-riva-1-1b-en-us-deployable_v8.1.tar.gz', bucket: 'ml-artifacts', modelName: 'parakeet-rnnt-en-us', modelVersion: 'v2025.09', environment: 'prod', awsRegion: 'us-east-1' };
    const refused: readonly [string, Partial<Record<InputKey, string>>][] = [
      ['`deep` with `mode: full`', { mode: 'full', deep: 'true' }],
      ['`from-environment` without `mode: promote`', { fromEnvironment: 'dev' }],
      ['`--deep` with `--full`', { mode: 'full', deep: 'true' }],
      ['`--from-environment` without `--promote`', { fromEnvironment: 'dev' }],
      ['`--dry-run` with `--verify`', { mode: 'verify', dryRun: 'true' }],
    ];
    for (const [phrase, inputs] of refused) {
      expect(flat(checked)).toContain(phrase);
      const spelling = phrase.includes('--') ? { spelling: COMMAND_LINE_SPELLING } : {};
      expect(() => resolveConfig({ inputs: { ...base, ...inputs }, env: {}, envFile: {}, ...spelling }), phrase).toThrow(/belongs to/);
    }
    // The same variables in the environment are ignored.
    expect(() => resolveConfig({ inputs: { ...base, mode: 'full' }, env: { RIVA_VERIFY_DEEP: 'true', RIVA_PROMOTE_FROM_ENV: 'dev' }, envFile: {} })).not.toThrow();
    expect(flat(section('Inputs'))).toContain('the same variables in the environment are ignored');
  });

  it(CHECKS.marker, () => {
    const record: MarkerRecord = {
      artifactId: 'a', mode: 'full', metadataUri: 's3://b/k', metadataSha256: 'c', sourceUri: 's3://b/s', sourceEtag: 'e', sourceSizeBytes: 1, containers: '', runId: 'r', completedAt: 't',
    };
    const keys = serialiseMarker(record).trim().split('\n').map((line) => line.slice(0, line.indexOf('=')));
    const paragraph = flat(section('Reliability')).split('The completion marker is plain')[1]!.split('.')[0]!;
    expect([...paragraph.matchAll(/`([a-z0-9_]+)`/g)].map((match) => match[1])).toEqual(keys);
  });

  it(CHECKS.json, () => {
    const details = Object.fromEntries(
      (['stage', 'promote', 'verify', 'list', 'delete', 'fetch'] as const).map((operation) => [operation, Object.keys(jsonDetails({ operation } as OperationResult))]),
    );
    const sentence = flat(section('Command line')).split('`--json` prints one JSON object (')[1]!.split(')')[0]!;
    const listed = new Set([...sentence.matchAll(/`([a-z]+)`/g)].map((match) => match[1]));
    expect([...listed].sort()).toEqual([...new Set(Object.values(details).flat())].sort());
    for (const [operation, keys] of Object.entries(details)) for (const key of keys) expect(sentence).toMatch(new RegExp(`${operation}'s (and [a-z]+'s )?\`${key}\`|${operation}'s and [a-z]+'s \`${key}\``));
  });

  it(CHECKS.paths, () => {
    const exists = (path: string) => {
      try {
        readFileSync(new URL(path, root));
        return true;
      } catch {
        return readdirSync(new URL(path, root)).length > 0;
      }
    };
    const paths = new Set([...checked.matchAll(/(?<![\w/.-])((?:src|test|scripts|docs|schema|dist|\.ci|\.github)\/[A-Za-z0-9_./-]*[A-Za-z0-9_/])/g)].map((match) => match[1]!));
    expect(paths.size).toBeGreaterThan(30);
    for (const path of paths) expect(exists(path), path).toBe(true);
    // The file names the Development section gives, each somewhere in the repository.
    const everyFile = ['src/', 'test/', 'scripts/', '.github/workflows/', 'docs/examples/'].flatMap((folder) =>
      readdirSync(new URL(folder, root), { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile()).map((entry) => entry.name),
    );
    const named = new Set([...section('Development').matchAll(/[A-Za-z0-9_-]+\.(?:ts|sh|yml)\b/g)].map((match) => match[0]));
    expect(named.size).toBeGreaterThan(30);
    for (const name of named) expect(everyFile.includes(name) || exists(name), name).toBe(true);
    const scripts = Object.keys((JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts);
    for (const [, script] of checked.matchAll(/npm run ([a-z][a-z0-9:-]*)/g)) expect(scripts, `npm run ${script}`).toContain(script);
    for (const [, script] of checked.matchAll(/npm (start|test)\b/g)) expect(scripts).toContain(script);
  });

  it(CHECKS.sandbox, () => {
    const sandbox = read('scripts/sandbox.ts');
    const prefix = /const COMMAND_PREFIX = '([^']+)';/.exec(sandbox)![1]!;
    const shown = codeBlocks(section('Try it'), 'sh').flatMap((block) => block.split('\n')).filter((line) => line.startsWith(prefix));
    expect(shown).toHaveLength(3);
    for (const line of shown) expect(sandbox).toContain(`\${COMMAND_PREFIX}${line.slice(prefix.length)}`);
    const pkg = JSON.parse(read('package.json')) as { engines: { node: string }; devDependencies: { node: string } };
    expect(pkg.engines.node).toBe('>=24');
    expect(pkg.devDependencies.node).toMatch(/^\^24\./);
    expect(MINIMUM_NODE_MAJOR).toBe(24);
    expect(flat(section('Try it'))).toContain('Scripts and tests run on Node 24');
  });

  it(CHECKS.writeSettings, () => {
    const rows = section('Encryption, ACL, storage class, tags and checksums').split('\n').filter((line) => /^\| `[a-z-]+` \| `[A-Z_]+` \|/.test(line));
    expect(rows).toHaveLength(7);
    const values: Partial<Record<string, readonly string[]>> = {
      sse: ENCRYPTION_MODES,
      acl: CANNED_ACLS,
      'storage-class': READABLE_STORAGE_CLASSES,
      'checksum-algorithm': CHECKSUM_ALGORITHMS,
    };
    for (const row of rows) {
      const [, input, variable, taken] = /^\| `([a-z-]+)` \| `([A-Z_]+)` \| ([^|]+) \|/.exec(row)!;
      const definition = Object.values(INPUTS).find((candidate) => candidate.input === input);
      expect(definition?.env, row).toEqual([variable]);
      const expected = values[input!];
      if (expected !== undefined) {
        const listed = [...taken!.matchAll(/`([^`]+)`/g)].map((match) => match[1]).filter((value) => !value!.includes(' ') && value !== 'alias/NAME');
        expect(listed.sort(), input).toEqual([...expected].sort());
      }
    }
    for (const refused of ARCHIVE_STORAGE_CLASSES) expect(flat(section('Encryption, ACL, storage class, tags and checksums'))).toContain(`\`${refused}\``);
  });

  it(CHECKS.tooling, () => {
    const development = flat(section('Development'));
    const lint = read('eslint.config.js');
    expect(development).toContain('(the AWS SDK only in `src/s3/`, no `report/` or `@actions/*` from `src/operations/`)');
    for (const pattern of ["group: ['@aws-sdk/*']", "group: ['**/report/*', '**/report/**']", "group: ['@actions/*']"]) expect(lint).toContain(pattern);
    expect(development).toContain('`npm run duplicates` fails past 1 % duplicated lines');
    expect((JSON.parse(read('.jscpd.json')) as { threshold: number }).threshold).toBe(1);
    expect(development).toContain('Its OSD keeps objects in memory, 4 GiB by default');
    expect(read('test/servers/ceph-rgw-up.sh')).toContain(`MEMSTORE_BYTES=\${RIVA_CEPH_MEMSTORE_BYTES:-${4 * GIB}}`);
    expect(development).toContain('setup-node reads `.node-version`');
    for (const workflow of readdirSync(new URL('.github/workflows/', root))) {
      const text = read(`.github/workflows/${workflow}`);
      if (text.includes('actions/setup-node')) expect(text, workflow).toContain('node-version-file: .node-version');
    }
    expect(development).toContain('(its values in `DIR/env` and the step\'s outputs, `kill "$(cat DIR/pid)"` stops it)');
    expect(development).toContain('CI (`.ci/run`) runs both tiers');
    expect(read('.ci/run')).toMatch(/^npm test$[\s\S]*^npm run test:rgw$/m);
    const up = read('test/servers/s3rver-up.ts');
    expect(up).toContain("join(directory, 'env')");
    expect(up).toContain("join(directory, 'pid')");
  });
});

function slugLengthOk(length: number): boolean {
  try {
    resolveConfig({ inputs: { modelS3Uri: 's3://ml-artifacts/bintarball/riva-models/m.tar.gz', bucket: 'ml-artifacts', modelName: 'm'.repeat(length), modelVersion: 'v', environment: 'e', awsRegion: 'us-east-1', languageCode: 'en-US', architecture: 'rnnt' }, env: {}, envFile: {} });
    return true;
  } catch {
    return false;
  }
}

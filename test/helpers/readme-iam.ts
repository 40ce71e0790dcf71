// README's IAM policies, as the tests that hold them to the requests of each mode read them: the
// JSON after each `<!-- iam-policy: NAME -->` line, made concrete for a test's bucket and
// environments, and evaluated as IAM evaluates an Allow-only identity policy.
import { readFileSync } from 'node:fs';
import { README } from '../../scripts/docs/action-tables.ts';

export type S3Action =
  | 's3:GetObject' | 's3:PutObject' | 's3:DeleteObject' | 's3:ListBucket' | 's3:AbortMultipartUpload'
  | 's3:PutObjectTagging' | 's3:PutObjectAcl' | 's3:ListMultipartUploadParts' | 's3:ListBucketMultipartUploads';

/** What one request needs: an action on a resource. */
export interface Need {
  readonly action: S3Action;
  readonly arn: string;
  /** The request, for messages. */
  readonly request: string;
}

export interface Statement {
  readonly Effect: 'Allow';
  readonly Action: string | string[];
  readonly Resource: string | string[];
}

/** Where a policy's runs happen: the environments, and the buckets its names stand for. */
export interface Place {
  readonly env: string;
  readonly fromEnv?: string;
  /** README's bucket names in the order they are replaced (longest first), with the buckets the runs use. */
  readonly buckets: ReadonlyArray<readonly [string, string]>;
}

export const listOf = (value: string | string[]): string[] => (Array.isArray(value) ? value : [value]);

export const objectArn = (bucket: string, key: string): string => `arn:aws:s3:::${bucket}/${key}`;
export const bucketArn = (bucket: string): string => `arn:aws:s3:::${bucket}`;

/** An IAM resource pattern: `*` matches any run of characters, `/` included. */
export function matches(pattern: string, arn: string): boolean {
  const expression = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${expression}$`).test(arn);
}

/** README's policies, by the names in the `<!-- iam-policy: NAME -->` lines before each. */
export function readmePolicies(): Map<string, string> {
  const readme = readFileSync(README, 'utf8');
  const policies = new Map<string, string>();
  for (const block of readme.matchAll(/((?:<!-- iam-policy: [a-z-]+ -->\n)+)```json\n([\s\S]*?)\n```/g)) {
    for (const [, name] of (block[1] ?? '').matchAll(/<!-- iam-policy: ([a-z-]+) -->/g)) policies.set(name!, block[2]!);
  }
  return policies;
}

/** A README policy for the buckets and environments a test runs with; throws on what IAM would not take. */
export function policyFor(name: string, place: Place): Statement[] {
  const text = readmePolicies().get(name);
  if (text === undefined) throw new Error(`README has no IAM policy marked <!-- iam-policy: ${name} -->`);
  let concrete = text;
  for (const [readmeName, bucket] of place.buckets) concrete = concrete.replaceAll(readmeName, bucket);
  concrete = concrete.replaceAll('<from-env>', place.fromEnv ?? '<from-env>').replaceAll('<env>', place.env);
  const document = JSON.parse(concrete) as { Version: string; Statement: Statement[] };
  if (document.Version !== '2012-10-17') throw new Error(`policy ${name}: Version ${document.Version}`);
  if (document.Statement.some((statement) => statement.Effect !== 'Allow')) throw new Error(`policy ${name}: a statement that does not Allow`);
  return document.Statement;
}

export function allowedBy(statements: readonly Statement[], need: Need): Statement | undefined {
  return statements.find((statement) => listOf(statement.Action).includes(need.action) && listOf(statement.Resource).some((resource) => matches(resource, need.arn)));
}

/** The needs no statement allows, once each, as `action for request`. */
export function deniedNeeds(statements: readonly Statement[], needs: readonly Need[]): string[] {
  return [...new Set(needs.filter((need) => allowedBy(statements, need) === undefined).map((need) => `${need.action} for ${need.request}`))];
}

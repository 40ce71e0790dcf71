import type { S3Client } from '@aws-sdk/client-s3';
import { httpStatusOf } from './errors.ts';

type Send = (command: Parameters<S3Client['send']>[0], options?: Parameters<S3Client['send']>[1]) => Promise<unknown>;
type Stack = S3Client['middlewareStack'];
type Registration = (stack: Stack) => void;

/**
 * Sends each bucket's requests to the bucket's own region, so that the source archive may sit in
 * one region and the staging bucket in another. A bucket's region is learned from the first
 * answer that names it (S3's 301 PermanentRedirect, or a 400 carrying `x-amz-bucket-region`), that
 * request is sent again there, and every later request for the bucket goes there at once.
 *
 * Why not the SDK's `followRegionRedirects`: it redirects by swapping the region of the one
 * shared client configuration for the length of the redirected request, so every request running
 * meanwhile (the uploads to the staging bucket while the archive streams from its own) is signed
 * for the wrong region; and it pays the redirect again on every request. Here each region has a
 * client of its own, created on first need with the same settings, credentials and middleware
 * (retry observer, write guard) as the client the run was given.
 */
export function routeBucketsToTheirRegions(
  home: S3Client,
  homeRegion: string,
  clientIn: (region: string) => S3Client,
  onBucketRegion: ((bucket: string, region: string) => void) | undefined,
): void {
  // Middleware added to the run's client, now or later (the store's write guard), goes on every regional client too.
  const registrations: Registration[] = [];
  const regional = new Map<string, S3Client>();
  const stack = home.middlewareStack;
  const register = (registration: Registration) => {
    registrations.push(registration);
    for (const client of regional.values()) registration(client.middlewareStack);
  };
  const add = stack.add.bind(stack);
  const addRelativeTo = stack.addRelativeTo.bind(stack);
  stack.add = ((...args: Parameters<Stack['add']>) => {
    register((other) => other.add(...args));
    return add(...args);
  }) as Stack['add'];
  stack.addRelativeTo = ((...args: Parameters<Stack['addRelativeTo']>) => {
    register((other) => other.addRelativeTo(...args));
    return addRelativeTo(...args);
  }) as Stack['addRelativeTo'];

  const sendHome: Send = home.send.bind(home) as Send;
  const sendIn = (region: string): Send => {
    if (region === homeRegion) return sendHome;
    let client = regional.get(region);
    if (client === undefined) {
      client = clientIn(region);
      for (const registration of registrations) registration(client.middlewareStack);
      regional.set(region, client);
    }
    return client.send.bind(client) as Send;
  };
  const bucketRegions = new Map<string, string>();
  const routed: Send = async (command, options) => {
    const bucket = bucketOf(command);
    const region = (bucket !== undefined ? bucketRegions.get(bucket) : undefined) ?? homeRegion;
    // The command's own middleware (the store's conditions), before sending adds the SDK's.
    const own = command.middlewareStack.clone();
    try {
      return await sendIn(region)(command, options);
    } catch (error) {
      const moved = bucketRegionNamedBy(error, region);
      if (bucket === undefined || moved === undefined) throw error;
      bucketRegions.set(bucket, moved);
      onBucketRegion?.(bucket, moved);
      return sendIn(moved)(sentAgain(command, own), options);
    }
  };
  home.send = routed as S3Client['send'];
  const destroy = home.destroy.bind(home);
  home.destroy = () => {
    for (const client of regional.values()) client.destroy();
    destroy();
  };
}

/**
 * The region an error says the bucket is in, when it is a redirect to another one than the
 * request was signed for: 301 (any request), 400 (HeadObject and HeadBucket answer so, as does
 * a request signed for the wrong region), 307 (a bucket just created elsewhere).
 */
export function bucketRegionNamedBy(error: unknown, signedFor: string): string | undefined {
  const headers = (error as { $response?: { headers?: Record<string, string | undefined> } } | undefined)?.$response?.headers;
  const region = headers?.['x-amz-bucket-region'];
  const status = httpStatusOf(error);
  if (region === undefined || region === '' || region === signedFor) return undefined;
  return status === 301 || status === 307 || status === 400 ? region : undefined;
}

function bucketOf(command: Parameters<Send>[0]): string | undefined {
  const bucket = (command.input as { Bucket?: unknown } | undefined)?.Bucket;
  return typeof bucket === 'string' ? bucket : undefined;
}

/** A new command with the same input and its own middleware: a command sent once carries the first client's. */
function sentAgain(command: Parameters<Send>[0], own: Stack): Parameters<Send>[0] {
  const Command = command.constructor as new (input: unknown) => Parameters<Send>[0];
  const fresh = new Command(command.input);
  (fresh as { middlewareStack: unknown }).middlewareStack = own;
  return fresh;
}

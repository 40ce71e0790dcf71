import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import type { FinalizeHandler, FinalizeHandlerArguments, HandlerExecutionContext, MetadataBearer } from '@smithy/types';
import { routeBucketsToTheirRegions } from './bucket-regions.ts';
import { errorCodeOf } from './errors.ts';
import { proxyRoutingAgents } from './proxy-agent.ts';
import type { ProxySettings } from './proxy-settings.ts';
import type { RetryEvent } from './retry-log.ts';

/** A connection that moves no byte for this long is broken: the request fails and is retried. */
export const DEFAULT_STALL_TIMEOUT_MS = 60_000;
const CONNECT_TIMEOUT_MS = 15_000;

export interface S3ClientOptions {
  readonly region: string;
  readonly endpoint: string | undefined;
  /** Attempts per request (the first plus retries). */
  readonly maxAttempts: number;
  readonly stallTimeoutMs?: number;
  /** Told about each retry: the operation, the attempt about to be made, and why. */
  readonly onRetry?: (retry: RetryEvent) => void;
  /** Told when a bucket turns out to be in another region than `region`: its requests go there from then on. */
  readonly onBucketRegion?: (bucket: string, region: string) => void;
  /** The forward proxy for S3 and the credential requests (STS, SSO); undefined: direct. */
  readonly proxy?: ProxySettings | undefined;
  /** Send the SDK's own checksums only where an operation requires one (`checksum-algorithm` none or MD5). */
  readonly onlyRequiredChecksums?: boolean;
}

/**
 * The one S3 client of a run. Credentials come from the SDK's standard chain (environment, web
 * identity, profiles, instance roles). Throttling (503 SlowDown, 429), 5xx answers, resets and
 * timeouts are retried by the SDK's standard strategy (exponential backoff, full jitter) up to
 * `maxAttempts`; other 4xx answers are not.
 *
 * With a proxy, S3 requests and the credential chain's own clients (STS for web identity and
 * assumed roles, SSO) connect through the routing agents of proxy-agent.ts; the instance metadata and container
 * credential providers keep their own direct connections, which no proxy may see.
 */
export function createS3Client(options: S3ClientOptions): S3Client {
  const agents = options.proxy === undefined ? undefined : proxyRoutingAgents(options.proxy);
  const config: S3ClientConfig = {
    region: options.region,
    maxAttempts: options.maxAttempts,
    retryMode: 'standard',
    requestHandler: {
      connectionTimeout: CONNECT_TIMEOUT_MS,
      socketTimeout: options.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS,
      ...agents,
    },
  };
  if (agents !== undefined) {
    // The same chain the client would build, with the proxy given to the clients it creates.
    config.credentials = defaultProvider({ clientConfig: { requestHandler: agents }, parentClientConfig: { region: options.region } });
  }
  if (options.endpoint !== undefined) {
    config.endpoint = options.endpoint;
    // S3-compatible servers (MinIO, Ceph, local emulators) address buckets by path.
    config.forcePathStyle = true;
    // Many of them reject the SDK's default aws-chunked trailing checksums; send and check
    // checksums only where an operation requires them.
    config.requestChecksumCalculation = 'WHEN_REQUIRED';
    config.responseChecksumValidation = 'WHEN_REQUIRED';
  }
  if (options.onlyRequiredChecksums) config.requestChecksumCalculation = 'WHEN_REQUIRED';
  const client = new S3Client(config);
  // Before any middleware is added, so that each regional client gets it too.
  routeBucketsToTheirRegions(client, options.region, (region) => new S3Client({ ...config, region, credentials: client.config.credentials }), options.onBucketRegion);
  if (options.onRetry) observeRetries(client, options.onRetry);
  return client;
}

interface AttemptContext {
  rivaAttempts?: number;
  rivaLastFailure?: string;
  commandName?: string;
}

/** Sees every attempt the retry strategy makes, so retries can be logged and counted. */
function observeRetries(client: S3Client, onRetry: (retry: RetryEvent) => void): void {
  const observer =
    (next: FinalizeHandler<object, MetadataBearer>, context: HandlerExecutionContext) =>
    async (args: FinalizeHandlerArguments<object>) => {
      // The context lives as long as the command, across its attempts.
      const attempts = context as AttemptContext;
      attempts.rivaAttempts = (attempts.rivaAttempts ?? 0) + 1;
      if (attempts.rivaAttempts > 1) {
        onRetry({
          operation: attempts.commandName ?? 'request',
          attempt: attempts.rivaAttempts,
          reason: attempts.rivaLastFailure ?? 'unknown',
        });
      }
      try {
        return await next(args);
      } catch (error) {
        attempts.rivaLastFailure = errorCodeOf(error);
        throw error;
      }
    };
  client.middlewareStack.addRelativeTo(observer, {
    relation: 'after',
    toMiddleware: 'retryMiddleware',
    name: 'rivaRetryObserver',
    override: true,
  });
}

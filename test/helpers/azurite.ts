import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { BlobServiceClient, StorageSharedKeyCredential, type ContainerClient } from '@azure/storage-blob';

/** Azurite's well-known development account (public, documented by Microsoft). */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/** Azurite's blob service on loopback, in memory: the blob store behind the test's Actions cache service. */
export interface Azurite {
  /** `http://127.0.0.1:<port>`: Azurite's own address (account in the path). */
  readonly endpoint: string;
  readonly port: number;
  readonly credential: StorageSharedKeyCredential;
  container(name: string): ContainerClient;
  stop(): Promise<void>;
}

/**
 * Starts Azurite from npm as its command line does. `--skipApiVersionCheck`: the Blob SDK that
 * @actions/cache bundles speaks a newer API version than Azurite knows; `--disableTelemetry`
 * keeps it on loopback.
 */
export async function startAzurite(): Promise<Azurite> {
  const main = createRequire(import.meta.url).resolve('azurite/dist/src/blob/main.js');
  const child = spawn(
    process.execPath,
    [main, '--blobHost', '127.0.0.1', '--blobPort', '0', '--skipApiVersionCheck', '--disableTelemetry', '--inMemoryPersistence'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const port = await listeningPort(child);
  const endpoint = `http://127.0.0.1:${port}`;
  const credential = new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY);
  const service = new BlobServiceClient(`${endpoint}/${AZURITE_ACCOUNT}`, credential);
  return {
    endpoint,
    port,
    credential,
    container: (name) => service.getContainerClient(name),
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The port from Azurite's "successfully listens on http://127.0.0.1:<port>" line. */
function listeningPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /successfully listens on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (match) {
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        resolve(Number(match[1]));
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`Azurite exited (${code}) before listening:\n${output}`)));
    child.once('error', reject);
  });
}

// Benchmark floor (i): only download the model archive, one GET read to its end and dropped, as
// full mode reads it (one stream; unpinned, which costs nothing). No staging can take the archive down faster.
// Usage: node download-floor.ts <bucket> <key>
import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import { contenderClient } from './contender-client.ts';

const [bucket = '', key = ''] = process.argv.slice(2);
const client = contenderClient();
const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
// Read and dropped: the floor is the transfer, not what is done with the bytes.
for await (const chunk of response.Body as Readable) void chunk;
client.destroy();

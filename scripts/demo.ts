// `npm start`: the tool's main job on this machine, with nothing to configure. Starts an S3
// server on loopback, fills a bucket with a synthetic bintarball tree, runs the built command
// line in all three modes (and a re-run), and shows the results.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { seedBintarball, seedVariables } from '../test/helpers/bintarball.ts';
import { runCli } from '../test/helpers/cli-runner.ts';
import { startS3Target } from '../test/helpers/s3-target.ts';
import { buildFirst } from './build-first.ts';

buildFirst();
const demoDirectory = join(import.meta.dirname, '..', '.demo');
rmSync(demoDirectory, { recursive: true, force: true });
const target = await startS3Target({ directory: join(demoDirectory, 's3'), keepBuckets: true });
let failed = false;
try {
  const tree = await seedBintarball(target);
  console.log(`S3 server on ${target.endpoint}; bucket ${tree.bucket} holds a synthetic bintarball:`);
  console.log(`  ${tree.modelUri}\n  ${tree.containerUri}\n`);

  // The seed pipeline's variables, as a release script exports them.
  const variables = seedVariables(target, tree);
  const steps: Array<[string, string[], string]> = [
    ['riva-130-stage --bintarball-reference   (recommended: metadata beside the tree)', ['--bintarball-reference'], 'prod'],
    ['riva-130-stage --reference-only          (a staging area pointing at the archive)', ['--reference-only'], 'dev'],
    ['riva-130-stage --full                    (archive copy, .riva files and checksums)', ['--full'], 'staging'],
    ['riva-130-stage --bintarball-reference   (again: a re-run is safe and writes nothing)', ['--bintarball-reference'], 'prod'],
  ];
  for (const [index, [title, args, environment]] of steps.entries()) {
    console.log(`── ENV=${environment} ${title}`);
    // Each run's state file stays with the demo's other files rather than in the system's temporary directory.
    const stateFile = join(demoDirectory, `run-${index + 1}-state.json`);
    const run = await runCli(args, { ...variables, ENV: environment, RIVA_STAGE_STATE_FILE: stateFile });
    const log = run.stderr.trimEnd().split('\n').map((line) => `  │ ${line}`);
    console.log(log.join('\n'));
    console.log(run.stdout.trimEnd().split('\n').map((line) => `  ${line}`).join('\n'));
    console.log(`  (exit ${run.exitCode})\n`);
    failed ||= run.exitCode !== 0;
  }

  console.log('── What is in the bucket now');
  for (const object of await target.listObjects(tree.bucket)) {
    console.log(`  s3://${tree.bucket}/${object.key}  (${object.size} bytes)`);
  }
  console.log(`\nThe objects are files under ${join(demoDirectory, 's3', tree.bucket)}.`);
  console.log(
    'To stage a real model: export AWS credentials, RIVA_ASR_MODEL_S3_URI, NVIDIA_DRIVERS_S3_BUCKET, RIVA_ASR_MODEL_NAME, ' +
      'MODEL_VERSION, ENV and AWS_REGION, then run dist/cli/index.js (or use the action: see README.md).',
  );
} finally {
  await target.stop();
}
process.exitCode = failed ? 1 : 0;

// `npm start`: the action's main job on this machine, with nothing to configure. Starts an S3
// server on loopback, fills a bucket with a synthetic bintarball tree, runs the built action the
// way the GitHub runner does in both reference modes (and a re-run), and shows the results.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { runAction, type ActionRun } from '../test/helpers/action-runner.ts';
import { credentialsEnv, seedBintarball, stagingInputs } from '../test/helpers/bintarball.ts';
import { startS3Target } from '../test/helpers/s3-target.ts';

const demoDirectory = join(import.meta.dirname, '..', '.demo');
rmSync(demoDirectory, { recursive: true, force: true });
const target = await startS3Target({ directory: join(demoDirectory, 's3'), keepBuckets: true });
let failed = false;
try {
  const tree = await seedBintarball(target);
  console.log(`S3 server on ${target.endpoint}; bucket ${tree.bucket} holds a synthetic bintarball:`);
  console.log(`  ${tree.modelUri}\n  ${tree.containerUri}\n`);

  const steps: Array<[string, Record<string, string>]> = [
    ['bintarball-reference (the recommended mode)', { mode: 'bintarball-reference', 'container-s3-uri': tree.containerUri }],
    ['reference-only', { mode: 'reference-only' }],
    ['bintarball-reference again: a re-run is safe and writes nothing', { mode: 'bintarball-reference', 'container-s3-uri': tree.containerUri }],
  ];
  for (const [index, [title, inputs]] of steps.entries()) {
    console.log(`── ${title}`);
    const stateFile = join(demoDirectory, 'state', `run-${index + 1}.json`);
    const run = await runAction({
      inputs: stagingInputs(target, target.endpoint, tree, { ...inputs, 'state-file': stateFile }),
      env: credentialsEnv(target),
    });
    show(run);
    failed ||= run.exitCode !== 0;
  }

  console.log('── What is in the bucket now');
  for (const object of await target.listObjects(tree.bucket)) {
    console.log(`  s3://${tree.bucket}/${object.key}  (${object.size} bytes)`);
  }
  console.log(`\nThe objects are files under ${join(demoDirectory, 's3', tree.bucket)}.`);
  console.log('To stage a real model, set the inputs of action.yml (or the variables in README.md) and AWS credentials.');
} finally {
  await target.stop();
}
process.exitCode = failed ? 1 : 0;

function show(run: ActionRun): void {
  const log = run.stdout
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('::'))
    .map((line) => `  ${line}`);
  console.log(log.join('\n'));
  for (const error of run.errors) console.log(`  error: ${error}`);
  console.log(`  outputs: status=${run.outputs.status ?? ''} deployment-json-uri=${run.outputs['deployment-json-uri'] ?? ''}`);
  console.log(`  state file: ${run.outputs['state-file'] ?? ''}\n`);
}

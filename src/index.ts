import { EXIT_UNSUPPORTED_NODE, unsupportedNodeMessage } from './node-version.ts';

// The Node check comes before anything that loads the AWS SDK (see src/cli.ts); the failure is
// an error annotation, written as the workflow command @actions/core would write.
const unsupported = unsupportedNodeMessage(process.versions.node);
if (unsupported === undefined) {
  const [{ tuneGarbageCollection }, { run }] = await Promise.all([import('./gc-tuning.ts'), import('./main.ts')]);
  tuneGarbageCollection();
  await run();
} else {
  process.stdout.write(`::error::riva-130-stage ${unsupported}\n`);
  process.exitCode = EXIT_UNSUPPORTED_NODE;
}

import { EXIT_UNSUPPORTED_NODE, unsupportedNodeMessage } from './node-version.ts';

// The Node check comes before anything that loads the AWS SDK (see src/cli.ts); the failure is
// an error annotation, written as the workflow command @actions/core would write. `eager` keeps
// the run's common code in this entry file; each operation and the Actions cache are chunks of
// their own, compiled only by the runs that load them.
const unsupported = unsupportedNodeMessage(process.versions.node);
if (unsupported === undefined) {
  const [{ tuneGarbageCollection }, { run }] = await Promise.all([import(/* webpackMode: "eager" */ './gc-tuning.ts'), import(/* webpackMode: "eager" */ './main.ts')]);
  tuneGarbageCollection();
  await run();
} else {
  process.stdout.write(`::error::riva-130-stage ${unsupported}\n`);
  process.exitCode = EXIT_UNSUPPORTED_NODE;
}

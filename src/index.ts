import { EXIT_UNSUPPORTED_NODE, unsupportedNodeMessage } from './node-version.ts';

// The Node check comes before anything that loads the AWS SDK (see src/cli.ts); the failure is
// an error annotation, written as the workflow command @actions/core would write. `eager` keeps
// the code in this one file (see src/cache/load-actions-cache.ts for why no chunks).
const unsupported = unsupportedNodeMessage(process.versions.node);
if (unsupported === undefined) {
  const [{ tuneGarbageCollection }, { run }] = await Promise.all([import(/* webpackMode: "eager" */ './gc-tuning.ts'), import(/* webpackMode: "eager" */ './main.ts')]);
  tuneGarbageCollection();
  await run();
} else {
  process.stdout.write(`::error::riva-130-stage ${unsupported}\n`);
  process.exitCode = EXIT_UNSUPPORTED_NODE;
}

#!/usr/bin/env -S node --
// (`--` keeps Node from taking this tool's --env-file flag as its own.)
import { EXIT_UNSUPPORTED_NODE, unsupportedNodeMessage } from './node-version.ts';

// The Node check comes before anything that loads the AWS SDK, so an old Node gets one clear
// line instead of the SDK's warnings: the rest of the command line is imported only after it.
// `eager` keeps it in this entry file; each operation is a chunk of its own.
const unsupported = unsupportedNodeMessage(process.versions.node);
if (unsupported === undefined) {
  await import(/* webpackMode: "eager" */ './command-line/main.ts');
} else {
  process.stderr.write(`riva-130-stage: ${unsupported}\n`);
  process.exitCode = EXIT_UNSUPPORTED_NODE;
}

/**
 * The oldest Node this tool runs on (action.yml's node24, package.json's engines). Checked by
 * each entry before it loads anything else: on an older Node the AWS SDK prints a block of
 * version warnings as it loads, and what fails after it says nothing about Node.
 */
export const MINIMUM_NODE_MAJOR = 24;

/** The one line to show on an unsupported Node, or undefined when this one will do. */
export function unsupportedNodeMessage(version: string): string | undefined {
  const major = Number(/^v?(\d+)\./.exec(version)?.[1]);
  if (major >= MINIMUM_NODE_MAJOR) return undefined;
  return `needs Node.js ${MINIMUM_NODE_MAJOR} or later, but this is Node.js ${version.replace(/^v/, '')}: run it with Node ${MINIMUM_NODE_MAJOR} (nvm install ${MINIMUM_NODE_MAJOR}, or actions/setup-node with node-version: ${MINIMUM_NODE_MAJOR}).`;
}

/** Exit code of a refused Node: the usage error's, since the fix is in how the tool is run. */
export const EXIT_UNSUPPORTED_NODE = 2;

// Workspace Trust on the server side. In VS Code's Restricted Mode (an untrusted workspace) Policy Lens runs no
// program from the workspace's context: the Git HEAD baseline (`git show HEAD:<file>` in the file's folder, where a
// repository's config could name hooks, filters or an fsmonitor command) is not read at all.
//
// The trust check sits where the HEAD baseline reader is chosen (`readHead`, passed to registerReachability in
// server.ts), so it does not depend on how the reachability service computes its baselines.
import { BaselineUnavailable, type ReachabilityOptions } from './reachability';

export const RESTRICTED_MODE_HEAD_MESSAGE =
  'Git HEAD comparison is disabled in Restricted Mode: Policy Lens runs no git command in an untrusted workspace. Trust the workspace to compare with Git HEAD.';

/** Whether the client said the workspace is trusted (initializationOptions.workspaceTrusted). Absent: not trusted. */
export function trustedFromInit(init: unknown): boolean {
  return typeof init === 'object' && init !== null && (init as { workspaceTrusted?: unknown }).workspaceTrusted === true;
}

/**
 * The `readHead` option of the reachability service for a workspace of the given trust: undefined (the default git
 * reader) when trusted; otherwise a reader that never spawns anything and reports the baseline as unavailable with
 * RESTRICTED_MODE_HEAD_MESSAGE (the response's `baselineError`).
 */
export function headReaderFor(trusted: boolean): ReachabilityOptions['readHead'] {
  if (trusted) return undefined;
  return async () => {
    throw new BaselineUnavailable(RESTRICTED_MODE_HEAD_MESSAGE);
  };
}

// First run: what points a new user to Policy Lens before any YAML is open. The activity-bar view "Policy Lens"
// (its welcome text and buttons are contributed in package.json `viewsWelcome`), a status-bar entry that opens the
// reachability panel, the Getting Started walkthrough, and "Open Example Workspace", which copies an example the
// extension ships (examples/shop, examples/calico, examples/cluster-policy) into a folder the user picks and opens it.
import * as vscode from 'vscode';

export const EXAMPLES = [
  { name: 'shop', label: 'Shop (Kubernetes NetworkPolicy)', detail: 'web, api, worker, postgres, redis and DNS in four namespaces, default deny, one deliberate mistake' },
  { name: 'calico', label: 'Calico tiers', detail: 'Calico tiers, Pass, a NetworkSet and a staged policy (what-if)' },
  { name: 'cluster-policy', label: 'ClusterNetworkPolicy', detail: 'Admin guardrails, namespace NetworkPolicies, a Baseline default and an egress allow-list by domain name' },
] as const;

/** `publisher.name#walkthrough-id` of the walkthrough in package.json. */
export const WALKTHROUGH = 'policy-lens.policy-lens#gettingStarted';

/** A folder name next to `dir` that does not exist yet: policy-lens-shop, policy-lens-shop-2, … */
async function freeName(dir: vscode.Uri, base: string): Promise<vscode.Uri> {
  for (let i = 1; ; i++) {
    const uri = vscode.Uri.joinPath(dir, i === 1 ? base : `${base}-${i}`);
    try {
      await vscode.workspace.fs.stat(uri);
    } catch {
      return uri;
    }
  }
}

/**
 * Copies a bundled example into a new folder inside `into` (asked for when absent) and opens it (unless
 * `open` is false, for tests). Resolves with the new folder, or undefined when the user cancelled.
 */
export async function openExample(extensionUri: vscode.Uri, name?: string, into?: vscode.Uri, open = true): Promise<vscode.Uri | undefined> {
  let example = EXAMPLES.find((e) => e.name === name);
  if (!example) {
    const pick = await vscode.window.showQuickPick(EXAMPLES.map((e) => ({ label: e.label, detail: e.detail, example: e })), {
      title: 'Policy Lens: open an example workspace',
    });
    if (!pick) return undefined;
    example = pick.example;
  }
  if (!into) {
    const picked = await vscode.window.showOpenDialog({
      canSelectFiles: false,
      canSelectFolders: true,
      canSelectMany: false,
      openLabel: 'Copy the example here',
      title: `Policy Lens: where should the ${example.name} example be copied? (a new folder policy-lens-${example.name} is made inside)`,
      defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
    });
    if (!picked?.length) return undefined;
    into = picked[0];
  }
  const target = await freeName(into, `policy-lens-${example.name}`);
  await vscode.workspace.fs.copy(vscode.Uri.joinPath(extensionUri, 'examples', example.name), target, { overwrite: false });
  if (open) await vscode.commands.executeCommand('vscode.openFolder', target, { forceNewWindow: false });
  return target;
}

export function registerFirstRun(context: vscode.ExtensionContext): void {
  // The activity-bar view: no items of its own, so VS Code shows its welcome content (package.json viewsWelcome).
  const empty: vscode.TreeDataProvider<vscode.TreeItem> = { getChildren: () => [], getTreeItem: (x) => x };
  const status = vscode.window.createStatusBarItem('policyLens.status', vscode.StatusBarAlignment.Right, 100);
  status.name = 'Policy Lens';
  status.text = '$(type-hierarchy) Policy Lens';
  status.tooltip = 'Policy Lens: show who can talk to whom under the policies in this workspace';
  status.command = 'policyLens.showReachability';
  status.show();
  context.subscriptions.push(
    vscode.window.createTreeView('policyLens.start', { treeDataProvider: empty }),
    status,
    vscode.commands.registerCommand('policyLens.openExample', (name?: string, into?: vscode.Uri, open?: boolean) => openExample(context.extensionUri, name, into, open ?? true)),
    // The walkthrough opens on its first step: code-server's Welcome page ignored the id given as a plain string.
    vscode.commands.registerCommand('policyLens.gettingStarted', () => vscode.commands.executeCommand('workbench.action.openWalkthrough', { category: WALKTHROUGH, step: 'openExample' }, false)),
  );
}

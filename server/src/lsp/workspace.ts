// Workspace index: every *.yaml / *.yml manifest of the workspace folders (open buffers override the
// disk contents), kept in an incremental LintProject. Provides getFiles() for the reachability service.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { LintProject, type ProjectOptions } from '../core/lint/project';

const SKIP_DIRS = new Set(['node_modules', '.git', '.hg', '.svn', 'out', 'dist', '.e2e-work', '.vscode-test']);
const MAX_FILE_BYTES = 5 * 1024 * 1024;

export function isYamlPath(p: string): boolean {
  return /\.ya?ml$/i.test(p);
}

export function uriToPath(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

/** Quick check: does this text look like it holds Kubernetes objects? */
export function looksLikeManifest(text: string): boolean {
  return /^\s*kind\s*:/m.test(text) && /^\s*apiVersion\s*:/m.test(text);
}

/** Looser check for open buffers: a manifest being typed (kind or apiVersion present). */
export function looksLikeManifestDraft(text: string): boolean {
  return /^(\s*|---\s*)(kind|apiVersion)\s*:/m.test(text);
}

export class WorkspaceIndex {
  readonly project: LintProject;
  /** URIs of files open in the editor, with their version. */
  private readonly openVersions = new Map<string, number>();
  /** URIs found on disk (text held by the project). */
  private readonly onDisk = new Set<string>();

  constructor(opts: ProjectOptions = {}) {
    this.project = new LintProject(opts);
  }

  isOpen(uri: string): boolean {
    return this.openVersions.has(uri);
  }

  version(uri: string): number | undefined {
    return this.openVersions.get(uri);
  }

  setOpen(uri: string, text: string, version: number): void {
    this.openVersions.set(uri, version);
    this.project.setFile(uri, text);
  }

  /** A buffer was closed: fall back to the disk contents (or drop the file). */
  async close(uri: string): Promise<void> {
    this.openVersions.delete(uri);
    await this.reloadFromDisk(uri);
  }

  async reloadFromDisk(uri: string): Promise<void> {
    if (this.openVersions.has(uri)) return;
    const p = uriToPath(uri);
    if (!p || !isYamlPath(p)) {
      this.project.removeFile(uri);
      return;
    }
    try {
      const st = await stat(p);
      if (!st.isFile() || st.size > MAX_FILE_BYTES) throw new Error('skip');
      const text = await readFile(p, 'utf8');
      if (this.openVersions.has(uri)) return; // opened meanwhile: the buffer wins
      if (!looksLikeManifest(text)) {
        this.onDisk.delete(uri);
        this.project.removeFile(uri);
        return;
      }
      this.onDisk.add(uri);
      this.project.setFile(uri, text);
    } catch {
      this.onDisk.delete(uri);
      this.project.removeFile(uri);
    }
  }

  deleted(uri: string): void {
    this.onDisk.delete(uri);
    if (!this.openVersions.has(uri)) this.project.removeFile(uri);
  }

  /** Lists the YAML files under the folders (skipping node_modules, .git, build output). */
  async listYaml(folders: string[], limit = 20000): Promise<string[]> {
    const out: string[] = [];
    const walk = async (dir: string, depth: number): Promise<void> => {
      if (out.length >= limit || depth > 20) return;
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        if (e.isDirectory()) {
          if (!SKIP_DIRS.has(e.name) && !e.name.startsWith('.')) await walk(join(dir, e.name), depth + 1);
        } else if (e.isFile() && isYamlPath(e.name)) out.push(join(dir, e.name));
      }
    };
    for (const f of folders) await walk(f, 0);
    return out;
  }

  /** Indexes every manifest under the folders; `progress(done, total)` is called as files are read. */
  async indexFolders(folders: string[], progress?: (done: number, total: number) => void): Promise<number> {
    const files = await this.listYaml(folders);
    let done = 0;
    for (const f of files) {
      await this.reloadFromDisk(pathToFileURL(f).href);
      done++;
      if (progress && (done % 20 === 0 || done === files.length)) progress(done, files.length);
    }
    return files.length;
  }

  /** Every manifest of the workspace as {path, text} (path = URI); open buffers take precedence. */
  getFiles(): { path: string; text: string }[] {
    return this.project.inputFiles();
  }
}

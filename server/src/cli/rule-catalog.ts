// Rule metadata for reports: read from docs/rules/<code>.md (the same pages the editor links diagnostics to).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from './common';
import { REPOSITORY_URL } from '../repository';

export interface RuleInfo {
  id: string;
  /** First bold sentence of the page. */
  short: string;
  /** Default severity named on the page (error, warning, info, hint), when it says. */
  severity?: string;
  /** The whole page (Markdown), links made absolute. */
  markdown?: string;
  helpUri: string;
}

/**
 * Base URL of the rule pages in reports. Rule pages live in docs/rules/ of the Policy Lens repository; the base is
 * `<repository URL>/blob/main/docs/rules/` from package.json `repository.url`, overridable with --rule-docs-url.
 */
export function defaultRuleDocsBase(): string {
  const root = packageRoot();
  let repo = REPOSITORY_URL;
  try {
    const pkg = JSON.parse(readFileSync(join(root ?? '.', 'package.json'), 'utf8'));
    const url = typeof pkg.repository === 'string' ? pkg.repository : pkg.repository?.url;
    if (typeof url === 'string' && /^https?:\/\//.test(url)) repo = url.replace(/\.git$/, '');
  } catch {
    // keep the default
  }
  return `${repo}/blob/main/docs/rules/`;
}

export class RuleCatalog {
  private readonly rules = new Map<string, RuleInfo>();
  readonly base: string;

  constructor(base = defaultRuleDocsBase()) {
    this.base = base.endsWith('/') ? base : `${base}/`;
    const root = packageRoot();
    const dir = root ? join(root, 'docs', 'rules') : undefined;
    if (!dir || !existsSync(dir)) return;
    // The index table of docs/rules/README.md: | [id](id.md) | severity | what |
    const index = new Map<string, { sev: string; what: string }>();
    try {
      for (const m of readFileSync(join(dir, 'README.md'), 'utf8').matchAll(/^\|\s*\[([a-z0-9-]+)\]\([^)]*\)\s*\|\s*([a-z]+)\s*\|\s*(.+?)\s*\|\s*$/gm)) index.set(m[1], { sev: m[2], what: m[3] });
    } catch {
      // no index: fall back to the pages
    }
    for (const f of readdirSync(dir).sort()) {
      if (!f.endsWith('.md') || f === 'README.md') continue;
      const id = f.slice(0, -3);
      let text = '';
      try {
        text = readFileSync(join(dir, f), 'utf8');
      } catch {
        continue;
      }
      const bold = /\*\*([^*]+)\*\*/.exec(text)?.[1]?.trim();
      const sev = /default severity:\s*(error|warning|info|information|hint)/i.exec(text)?.[1] ?? /\*\*Severity:\*\*\s*(error|warning|info|information|hint)/i.exec(text)?.[1];
      // Relative links (README.md, other rule pages) become absolute so they work wherever the report is shown.
      const markdown = text.replace(/\]\((?!https?:|#)([^)\s]+)\)/g, (_m, target: string) => `](${this.base}${target})`);
      const row = index.get(id);
      const firstPara = text.split('\n').find((l) => l.trim() && !l.startsWith('#') && !l.startsWith('**Severity'));
      const sentence = firstPara?.replace(/\*\*/g, '').split(/(?<=\.)\s/)[0]?.trim();
      const short = (row?.what ?? (bold && bold !== 'Severity:' ? bold : sentence ?? id)).replace(/`/g, '');
      this.rules.set(id, { id, short, severity: (row?.sev ?? sev)?.toLowerCase(), markdown, helpUri: `${this.base}${id}.md` });
    }
  }

  get(id: string): RuleInfo {
    return this.rules.get(id) ?? { id, short: id, helpUri: `${this.base}README.md` };
  }

  ids(): string[] {
    return [...this.rules.keys()];
  }
}

// Builds the browser playground (playground/) with esbuild into dist/playground/ and serves it on 127.0.0.1.
//
//   npm run playground                      build, then serve on http://127.0.0.1:8090/ (Ctrl+C to stop)
//   npm run playground -- --port 0          serve on a free port (the URL is printed)
//   npm run playground -- --build-only      build only
//   npm run playground -- --production      minified build without source maps
//   npm run playground -- --out DIR         build into DIR instead of dist/playground/
//
// Bundles: the page script (Monaco + monaco-yaml + the reachability panel renderer), Monaco's editor worker,
// monaco-yaml's YAML worker and the Policy Lens worker (the pure core: parse, analyse, lint, hover).
import { build } from 'esbuild';
import { createServer } from 'node:http';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { extname, join, normalize, relative, resolve, sep } from 'node:path';

const root = resolve(new URL('..', import.meta.url).pathname);
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
function option(name, fallback) {
  const i = args.indexOf(name);
  if (i >= 0 && i + 1 < args.length) return args[i + 1];
  const eq = args.find((a) => a.startsWith(`${name}=`));
  return eq ? eq.slice(name.length + 1) : fallback;
}
// --out DIR builds (and serves) elsewhere, e.g. a private folder per test run.
const outDir = resolve(root, option('--out', join('dist', 'playground')));
const production = flag('--production');

/** `virtual:schemas` = { fileName: schemaObject } for every schemas/*.schema.json, read at build time. */
const schemasPlugin = {
  name: 'policy-lens-schemas',
  setup(b) {
    b.onResolve({ filter: /^virtual:schemas$/ }, () => ({ path: 'schemas', namespace: 'pl-schemas' }));
    b.onLoad({ filter: /.*/, namespace: 'pl-schemas' }, () => {
      const dir = join(root, 'schemas');
      const files = readdirSync(dir).filter((f) => f.endsWith('.schema.json')).sort();
      const map = {};
      for (const f of files) map[f] = JSON.parse(readFileSync(join(dir, f), 'utf8'));
      return { contents: `export default ${JSON.stringify(map)};`, loader: 'js', watchFiles: files.map((f) => join(dir, f)) };
    });
  },
};

/**
 * The language server's hover (server/src/lsp/hover.ts) loads its JSON Schemas through node:fs. In the browser
 * worker those imports are answered by a small in-memory file system holding the bundled schemas.
 */
const nodeShimsPlugin = {
  name: 'policy-lens-node-shims',
  setup(b) {
    b.onResolve({ filter: /^node:(fs|path)$/ }, (a) => ({ path: join(root, 'playground', 'src', 'shims', `${a.path.slice(5)}.ts`) }));
  },
};

const common = {
  bundle: true,
  target: 'es2022',
  platform: 'browser',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  legalComments: 'none',
  define: { 'process.env.NODE_ENV': '"production"' },
};

export async function buildPlayground() {
  const t0 = Date.now();
  // The folder is wiped before building: refuse anything that could be more than an earlier build.
  if (outDir === root || root.startsWith(outDir + sep)) throw new Error(`refusing to build into ${outDir} (it holds the repository)`);
  if (existsSync(outDir) && readdirSync(outDir).length > 0 && !existsSync(join(outDir, 'index.html'))) {
    throw new Error(`refusing to wipe ${outDir}: it is not empty and holds no earlier playground build`);
  }
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  await Promise.all([
    // Page script; Monaco's CSS (and the codicon font it references) end up in main.css next to it.
    build({
      ...common,
      entryPoints: { main: join(root, 'playground/src/main.ts') },
      outdir: outDir,
      format: 'esm',
      loader: { '.ttf': 'file', '.yaml': 'text' },
      assetNames: 'assets/[name]-[hash]',
      plugins: [schemasPlugin],
    }),
    // Web workers (classic workers, one self-contained file each).
    build({
      ...common,
      entryPoints: {
        'editor.worker': join(root, 'playground/src/editor.worker.ts'),
        'yaml.worker': join(root, 'playground/src/yaml.worker.ts'),
        'policy.worker': join(root, 'playground/src/worker.ts'),
        // The reachability graph's layout (elkjs, EPL-2.0; see THIRD-PARTY-NOTICES.md).
        'graph.worker': join(root, 'client/webview/graph-worker.ts'),
      },
      outdir: outDir,
      format: 'iife',
      plugins: [schemasPlugin, nodeShimsPlugin],
      // The server's completion provider takes its enums (CompletionItemKind, ...) from vscode-languageserver,
      // which re-exports them from the pure vscode-languageserver-types; the worker takes them from there directly.
      alias: { 'vscode-languageserver': 'vscode-languageserver-types' },
    }),
  ]);
  for (const f of ['index.html']) copyFileSync(join(root, 'playground', f), join(outDir, f));
  // Rule documentation, linked from the diagnostics' codes.
  const docs = join(root, 'docs', 'rules');
  if (existsSync(docs)) {
    mkdirSync(join(outDir, 'docs', 'rules'), { recursive: true });
    for (const f of readdirSync(docs).filter((n) => n.endsWith('.md'))) copyFileSync(join(docs, f), join(outDir, 'docs', 'rules', f));
  }
  return { ms: Date.now() - t0 };
}

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.ttf': 'font/ttf',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  // Rule pages are shown as plain text (browsers download text/markdown).
  '.md': 'text/plain; charset=utf-8',
};

/**
 * Content Security Policy of the page: scripts and workers only from this server (no inline script, no eval), no
 * plugins, no framing, no form posts. Monaco creates <style> elements at run time, hence 'unsafe-inline' for styles
 * only; its icons are data: images and its codicon font is served from assets/.
 */
export const PLAYGROUND_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "worker-src 'self'",
  "connect-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

/**
 * Serves `dir` (default: the build folder) on 127.0.0.1; resolves with the server once it listens.
 * * GET and HEAD only (anything else: 405 with Allow).
 * * The Host header must name this server on a loopback name (localhost, 127.0.0.1, [::1] with its port), else 403:
 *   a web page on another site cannot reach it through DNS rebinding.
 * * A path that does not decode (`/%`, `/%zz`, overlong UTF-8 `/%c0%ae`) is 400; nothing outside `dir` is served.
 */
export function servePlayground(port = 8090, host = '127.0.0.1', dir = outDir) {
  const base = resolve(dir);
  let allowedHosts = new Set();
  const send = (res, status, text, headers = {}) => res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff', ...headers }).end(text);
  const server = createServer((req, res) => {
    try {
      if (!allowedHosts.has(String(req.headers.host ?? '').toLowerCase())) return send(res, 403, 'forbidden: the playground only answers requests addressed to localhost');
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed', { allow: 'GET, HEAD' });
      let url;
      let rel;
      try {
        url = new URL(req.url ?? '/', 'http://localhost');
        rel = decodeURIComponent(url.pathname);
      } catch {
        return send(res, 400, 'bad request: malformed URL');
      }
      if (rel.includes('\0')) return send(res, 400, 'bad request: malformed URL');
      if (rel.endsWith('/')) rel += 'index.html';
      const file = normalize(join(base, rel));
      if (file !== base && !file.startsWith(base + sep)) return send(res, 403, 'forbidden');
      let body;
      try {
        if (!statSync(file).isFile()) throw new Error('not a file');
        body = readFileSync(file);
      } catch {
        return send(res, 404, 'not found');
      }
      const type = TYPES[extname(file)] ?? 'application/octet-stream';
      res.writeHead(200, {
        'content-type': type,
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
        ...(type.startsWith('text/html') ? { 'content-security-policy': PLAYGROUND_CSP } : {}),
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch (e) {
      send(res, 500, 'internal error');
      console.error(`playground server: ${e?.stack ?? e}`);
    }
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      const p = server.address().port;
      allowedHosts = new Set(LOOPBACK_NAMES.flatMap((n) => (p === 80 ? [n, `${n}:${p}`] : [`${n}:${p}`])));
      ok(server);
    });
  });
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  try {
    const { ms } = await buildPlayground();
    console.log(`built ${relative(root, outDir) || outDir} in ${ms} ms`);
  } catch (e) {
    console.error(`playground build failed: ${e?.message ?? e}`);
    process.exit(1);
  }
  if (!flag('--build-only')) {
    const port = Number(option('--port', process.env.PORT ?? '8090'));
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      console.error(`invalid --port ${option('--port', '')}`);
      process.exit(2);
    }
    try {
      const server = await servePlayground(port);
      const addr = server.address();
      console.log(`Policy Lens playground: http://127.0.0.1:${addr.port}/`);
      const stop = () => {
        server.close(() => process.exit(0));
        server.closeAllConnections();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    } catch (e) {
      console.error(`could not listen on 127.0.0.1:${port}: ${e?.message ?? e}`);
      process.exit(1);
    }
  }
}

// The playground's static server (scripts/playground.mjs servePlayground) is safe on a developer's machine: bad
// percent-encoding is 400 (not 500), only GET/HEAD (405 + Allow), only Host: localhost/127.0.0.1/[::1] with its port
// (403 otherwise: DNS rebinding), no path traversal, and the page has a strict Content-Security-Policy.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../helpers/paths';

// scripts/playground.mjs is an ES module; a real import() (tsc would turn a literal one into require()).
const importEsm = new Function('u', 'return import(u)') as (u: string) => Promise<{ servePlayground: (port: number, host: string, dir: string) => Promise<Server>; PLAYGROUND_CSP: string }>;

let server: Server;
let port: number;
let csp: string;
let root: string;
before(async () => {
  // A folder beside the served one holds a secret that must stay out of reach.
  root = mkdtempSync(join(tmpdir(), 'pl-serve-'));
  const dir = join(root, 'site');
  mkdirSync(join(dir, 'docs'), { recursive: true });
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>x</title><script type="module" src="main.js"></script>');
  writeFileSync(join(dir, 'main.js'), 'console.log(1)');
  writeFileSync(join(dir, 'docs', 'a b.md'), '# rule');
  writeFileSync(join(root, 'secret.txt'), 'secret');
  const mod = await importEsm(pathToFileURL(join(repoRoot(), 'scripts', 'playground.mjs')).href);
  csp = mod.PLAYGROUND_CSP;
  server = await mod.servePlayground(0, '127.0.0.1', dir);
  port = (server.address() as AddressInfo).port;
});
after(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  rmSync(root, { recursive: true, force: true });
});

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw request: the path is sent as written (no client-side normalisation), Host as given. */
function get(path: string, opts: { method?: string; host?: string | null } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    if (opts.host !== null) headers.host = opts.host ?? `127.0.0.1:${port}`;
    const req = request({ host: '127.0.0.1', port, path, method: opts.method ?? 'GET', headers, setHost: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('the page and its files are served; HTML carries a strict CSP without inline script', async () => {
  const page = await get('/');
  assert.equal(page.status, 200);
  assert.match(String(page.headers['content-type']), /^text\/html/);
  assert.equal(page.headers['content-security-policy'], csp);
  for (const d of ["default-src 'none'", "script-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "worker-src 'self'"]) assert.ok(csp.includes(d), d);
  const scriptSrc = csp.split(';').find((d) => d.trim().startsWith('script-src'))!;
  assert.doesNotMatch(scriptSrc, /unsafe-inline|unsafe-eval|data:|blob:|\*/);
  assert.equal(page.headers['x-content-type-options'], 'nosniff');
  assert.equal((await get('/main.js')).status, 200);
  assert.equal((await get('/docs/a%20b.md')).body, '# rule');
  assert.equal((await get('/main.js', { method: 'HEAD' })).status, 200);
  // The real page has no inline script (the CSP would block it): every <script> has a src.
  const html = readFileSync(join(repoRoot(), 'playground', 'index.html'), 'utf8');
  const scripts = html.match(/<script\b[^>]*>/g) ?? [];
  assert.ok(scripts.length > 0);
  for (const s of scripts) assert.match(s, /\bsrc=/, s);
  assert.doesNotMatch(html, /\son[a-z]+\s*=/i, 'no inline event handlers');
});

test('malformed percent-encoding is 400, not 500', async () => {
  for (const p of ['/%', '/%zz', '/%c0%ae', '/%c0%ae%c0%ae/secret.txt', '/%ff', '/a%00b']) {
    const r = await get(p);
    assert.equal(r.status, 400, `${p}: ${r.status} ${r.body}`);
    assert.doesNotMatch(r.body, /URIError|at /);
  }
});

test('no method but GET and HEAD: 405 with Allow', async () => {
  for (const m of ['POST', 'DELETE', 'PUT', 'PATCH', 'OPTIONS']) {
    const r = await get('/', { method: m });
    assert.equal(r.status, 405, m);
    assert.equal(r.headers.allow, 'GET, HEAD');
  }
});

test('Host must be a loopback name with the server port (DNS rebinding): 403 otherwise', async () => {
  for (const h of [`localhost:${port}`, `LOCALHOST:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`]) assert.equal((await get('/', { host: h })).status, 200, h);
  for (const h of [`evil.example:${port}`, 'evil.example', `127.0.0.1.evil.example:${port}`, `localhost:${port + 1}`, 'localhost', '127.0.0.1', `0.0.0.0:${port}`, '']) {
    assert.equal((await get('/', { host: h })).status, 403, JSON.stringify(h));
  }
  // HTTP/1.1 without Host: node's parser already answers 400 (requireHostHeader); never served.
  assert.ok([400, 403].includes((await get('/', { host: null })).status), 'no Host header');
});

test('nothing outside the served folder is reachable', async () => {
  for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/%2e%2e%2fsecret.txt', '/docs/..%2f..%2fsecret.txt', '/..%5csecret.txt', '//etc/passwd', '/%2fetc%2fpasswd']) {
    const r = await get(p);
    assert.notEqual(r.status, 200, `${p} was served`);
    assert.doesNotMatch(r.body, /secret/);
  }
});

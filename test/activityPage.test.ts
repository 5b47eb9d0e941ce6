/** The activity page without a browser: the search rule, what it serves, its size budget, and that start-up does not load it. */
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { Script } from 'node:vm';
import { HttpRequest, type HttpResponseInit } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import { getActivityAsset } from '../src/functions/getActivityAsset.js';
import { getActivityPage } from '../src/functions/getActivityPage.js';
import { PAGE_SIZE_BUDGET_BYTES } from '../src/web/activityPage.js';
import { ACTIVITY_ASSET_TYPES } from '../src/web/assets.js';
import { classifyQuery } from '../src/web/query.js';

const get = (path: string, params: Record<string, string> = {}) => new HttpRequest({ method: 'GET', url: `http://localhost:7071${path}`, params });
const header = (response: HttpResponseInit, name: string) => (response.headers as Record<string, string>)[name];
const bytes = (response: HttpResponseInit) => Buffer.byteLength(response.body as string);

describe('the search box rule', () => {
  it.each([
    ['3c2e8f4a-5b6d-4e7f-9a0b-1c2d3e4f5a6b', ['message']],
    ['  sam@northwind.example ', ['address', 'internetMessage', 'message']],
    ['<3c2e8f4a@contoso.com>', ['internetMessage']],
    ['3c2e8f4a@contoso.com', ['address', 'internetMessage', 'message']],
    ['<not-closed@contoso.com', ['address', 'internetMessage', 'message']],
  ])('%j is looked up as %j, in that order', (text, kinds) => {
    expect(classifyQuery(text)).toEqual({ value: text.trim(), kinds });
  });

  it('looks up nothing for an empty box', () => {
    expect(classifyQuery('   ')).toBeUndefined();
  });
});

describe('what GET /api/activity serves', () => {
  it('serves the page, its script and its stylesheet, from the app only, with a policy that runs nothing else', async () => {
    const page = await getActivityPage(get('/api/activity'));
    expect(page.status).toBe(200);
    expect(header(page, 'content-type')).toBe('text/html; charset=utf-8');
    expect(header(page, 'content-security-policy')).toContain("script-src 'self'");
    expect(header(page, 'content-security-policy')).toContain("default-src 'none'");
    expect(header(page, 'referrer-policy')).toBe('no-referrer');
    const html = page.body as string;
    expect(html).toContain('<script defer src="/api/activity/app.js"></script>');
    expect(html).toContain('<link rel="stylesheet" href="/api/activity/app.css">');
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<script>|<style>| style=/);

    const script = await getActivityAsset(get('/api/activity/app.js', { asset: 'app.js' }));
    expect(header(script, 'content-type')).toBe('text/javascript; charset=utf-8');
    expect(() => new Script(script.body as string)).not.toThrow();
    const css = await getActivityAsset(get('/api/activity/app.css', { asset: 'app.css' }));
    expect(header(css, 'content-type')).toBe('text/css; charset=utf-8');
    expect(css.body).toContain('prefers-color-scheme: dark');
    const icon = await getActivityAsset(get('/api/activity/icon.svg', { asset: 'icon.svg' }));
    expect(header(icon, 'content-type')).toBe('image/svg+xml');
  });

  it('addresses its files under the path it was served at', async () => {
    expect((await getActivityPage(get('/status/activity'))).body).toContain('href="/status/activity/app.css"');
  });

  it('redirects /api/activity/ (the asset route with no name, which the hosts route to the page) to the page', async () => {
    for (const [path, page] of [['/api/activity/', '/api/activity'], ['/status/activity//', '/status/activity']]) {
      const response = await getActivityPage(get(path!));
      expect(response.status).toBe(308);
      expect(header(response, 'location')).toBe(page);
      expect(response.body).toBeUndefined();
    }
  });

  it('answers a 404 problem for any other file', async () => {
    const response = await getActivityAsset(get('/api/activity/index.html', { asset: 'index.html' }));
    expect(response.status).toBe(404);
    expect(header(response, 'content-type')).toBe('application/problem+json');
    expect(JSON.parse(response.body as string)).toMatchObject({ status: 404, detail: 'The activity page has no file named "index.html".' });
  });

  it(`keeps what the browser downloads within ${PAGE_SIZE_BUDGET_BYTES / 1024} KB uncompressed`, async () => {
    let total = bytes(await getActivityPage(get('/api/activity')));
    for (const asset of Object.keys(ACTIVITY_ASSET_TYPES)) total += bytes(await getActivityAsset(get(`/api/activity/${asset}`, { asset })));
    expect(total).toBeLessThanOrEqual(PAGE_SIZE_BUDGET_BYTES);
  });
});

describe('the page costs the cold start nothing', () => {
  /** The modules a module imports statically (not `import type`, not `import()`), as source paths. */
  function staticImports(file: string): string[] {
    const source = readFileSync(file, 'utf8');
    const specifiers = [...source.matchAll(/^(?:import|export)\s+(?!type\b)(?:[^'";]*?\s+from\s+)?'(\.[^']+)';/gm)].map((match) => match[1]!);
    return specifiers.map((specifier) => join(dirname(file), specifier.replace(/\.js$/, '.ts')));
  }

  it('the entry point does not load src/web/ until the page is requested', () => {
    const seen = new Set<string>();
    const queue = ['src/index.ts'];
    while (queue.length > 0) {
      const file = queue.pop()!;
      if (seen.has(file)) continue;
      seen.add(file);
      queue.push(...staticImports(file));
    }
    expect(seen).toContain('src/functions/getActivityPage.ts');
    expect([...seen].filter((file) => relative('src/web', file).startsWith('..') === false)).toEqual([]);
    // …and the page's functions do load it, when called.
    for (const file of ['src/functions/getActivityPage.ts', 'src/functions/getActivityAsset.ts']) {
      expect(readFileSync(file, 'utf8')).toContain("await import('../web/activityPage.js')");
    }
  });

  it("the browser's code imports nothing at run time: it is served as its own source text", () => {
    for (const file of ['src/web/client.ts', 'src/web/query.ts']) {
      expect(staticImports(file), file).toEqual([]);
      expect(readFileSync(file, 'utf8'), file).not.toMatch(/\bimport\(/);
    }
  });
});

/**
 * Admin UI benchmark.
 *
 *   node bench/ui.ts [--runs 5]
 *
 * 1. Builds the production bundle (admin-ui, `npm run build`) and reports, per route, the JavaScript a
 *    browser downloads to show it (the entry chunk, the route's lazy chunk and everything they import
 *    statically), gzipped at level 9. Aim: the workbench under 500 kB.
 * 2. Time to interactive of the workbench on the demo data, in Debian's Chromium (playwright-core):
 *    navigation start → the first conversation of the inbox list is in the DOM, for an agent who is
 *    signed in (token in localStorage). Cold = fresh browser context (empty HTTP cache); warm = reload.
 *    The hub runs in this process against a fresh database and its own in-memory Temporal dev server;
 *    the demo workspace is seeded (`seedDemo`) and given a dozen visitors asking for a human, three of
 *    them assigned to the demo agent.
 *
 * Prints a table and writes bench/results/ui.md.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { gzipSync } from 'node:zlib';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { chromium } from 'playwright-core';
import { ROOT, startHub } from '../core/hub.ts';
import { loadConfig } from '../core/config.ts';
import { seedDemo } from '../core/seed.ts';
import { checkServices } from '../core/infra/preflight.ts';
import { ensureTemporalCli } from '../core/infra/tools.ts';
import { startTemporalDevServer } from '../core/infra/temporal-dev-server.ts';
import { ADMIN_UI_DIST, ensureAdminUi } from '../core/infra/admin-ui.ts';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1]! : dflt; };
const RUNS = Number(opt('runs', '5'));
const CHROMIUM = process.env.KEFU_CHROMIUM ?? '/usr/bin/chromium';
const BUDGET_KB = 500;
const log = (m: string) => console.log(`[bench:ui] ${m}`);
const freePort = () => new Promise<number>((resolve) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); }); });
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.floor(s.length / 2)]! : NaN; };
const kb = (n: number) => (n / 1024).toFixed(1);

/** Route → page module, as in admin-ui/src/routes.tsx. */
const ROUTES: [string, string][] = [
  ['/admin/workbench', 'src/pages/workbench/Workbench.tsx'],
  ['/admin/offline-messages', 'src/pages/workbench/OfflineMessages.tsx'],
  ['/admin/monitor', 'src/pages/admin/LiveView.tsx'],
  ['/admin/flows', 'src/pages/flows/FlowComposer.tsx'],
  ['/admin/skill-groups', 'src/pages/admin/SkillGroups.tsx'],
  ['/admin/agents', 'src/pages/admin/Agents.tsx'],
  ['/admin/channels', 'src/pages/admin/Channels.tsx'],
  ['/admin/canned-replies', 'src/pages/admin/CannedReplies.tsx'],
  ['/admin/knowledge', 'src/pages/admin/Knowledge.tsx'],
  ['/admin/plugins', 'src/pages/admin/Plugins.tsx'],
  ['/admin/api-keys', 'src/pages/admin/ApiKeys.tsx'],
  // The routing log's page is a thin shell over the routing views' chunk (policy editor, queue preview, log).
  ['/admin/routing-log', 'src/pages/admin/routing/index.ts'],
];

interface ManifestChunk { file: string; isEntry?: boolean; isDynamicEntry?: boolean; imports?: string[]; css?: string[] }

function routeSizes() {
  const manifest = JSON.parse(readFileSync(join(ADMIN_UI_DIST, '.vite', 'manifest.json'), 'utf8')) as Record<string, ManifestChunk>;
  const sizes = new Map<string, { raw: number; gz: number }>();
  const sizeOf = (file: string) => {
    let s = sizes.get(file);
    if (!s) { const buf = readFileSync(join(ADMIN_UI_DIST, file)); s = { raw: buf.length, gz: gzipSync(buf, { level: 9 }).length }; sizes.set(file, s); }
    return s;
  };
  const closure = (key: string, seen = new Set<string>()): Set<string> => {
    if (seen.has(key) || !manifest[key]) return seen;
    seen.add(key);
    for (const i of manifest[key].imports ?? []) closure(i, seen);
    return seen;
  };
  const entry = Object.keys(manifest).find((k) => manifest[k]!.isEntry)!;
  const entryFiles = [...closure(entry)].map((k) => manifest[k]!.file).filter((f) => f.endsWith('.js'));
  const entryGz = entryFiles.reduce((a, f) => a + sizeOf(f).gz, 0);
  const rows = ROUTES.map(([route, src]) => {
    const files = [...new Set([...closure(entry), ...closure(src)])].map((k) => manifest[k]!);
    const js = files.map((c) => c.file).filter((f) => f.endsWith('.js'));
    const css = [...new Set(files.flatMap((c) => c.css ?? []))];
    return {
      route,
      chunks: js.length,
      raw: js.reduce((a, f) => a + sizeOf(f).raw, 0),
      gz: js.reduce((a, f) => a + sizeOf(f).gz, 0),
      ownGz: manifest[src] ? sizeOf(manifest[src].file).gz : 0,
      cssGz: css.reduce((a, f) => a + sizeOf(f).gz, 0),
    };
  });
  const allJs = [...new Set(Object.values(manifest).map((c) => c.file).filter((f) => f.endsWith('.js')))];
  return { rows, entryGz, totalGz: allJs.reduce((a, f) => a + sizeOf(f).gz, 0), totalFiles: allJs.length };
}

async function main() {
  log('building the production bundle …');
  const build = await ensureAdminUi({ force: true });
  if (!build.ok) throw new Error(build.error);
  log(`built in ${(build.ms / 1000).toFixed(1)} s`);
  const sizes = routeSizes();

  const base = loadConfig();
  await checkServices({ dbUrl: base.KEFU_DB_URL, redisUrl: base.KEFU_REDIS_URL });
  await ensureTemporalCli(log);
  const temporal = await startTemporalDevServer({ port: await freePort(), headless: true, namespace: 'default', log });
  const suffix = randomBytes(4).toString('hex');
  const dbUrl = new URL(base.KEFU_DB_URL);
  dbUrl.pathname = `/kefu_bench_ui_${suffix}`;
  const password = 'kefu-bench-ui';
  const config = loadConfig({
    ...process.env, KEFU_DB_URL: dbUrl.toString(), KEFU_HTTP_HOST: '127.0.0.1', KEFU_HTTP_PORT: '0', KEFU_NAMESPACE: `bench-ui-${suffix}`,
    KEFU_TEMPORAL_TASK_QUEUE: `bench-ui-${suffix}`, KEFU_LOG_LEVEL: 'warn',
  });
  const hub = await startHub({ config, migrate: true, temporalAddress: temporal.address });
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  const chromiumVersion = browser.version();
  const tti = { cold: [] as number[], warm: [] as number[], jsTransfer: [] as number[] };
  try {
    const url = `http://127.0.0.1:${hub.http!.port}`;
    const gql = async (query: string, variables: Record<string, unknown> = {}, token?: string) => {
      const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify({ query, variables }) });
      const json = (await res.json()) as { data?: any; errors?: unknown[] };
      if (json.errors?.length) throw new Error(JSON.stringify(json.errors));
      return json.data;
    };
    const demo = await seedDemo(hub.services.orm, { adminEmail: 'admin@demo.kefu.local', adminPassword: password });
    const admin = (await gql('mutation($p: String!) { login(workspace: "demo", email: "admin@demo.kefu.local", password: $p) { token } }', { p: password })).login.token;
    for (const name of ['faq-bot', 'transfer-rules']) await gql('mutation($n: String!) { installPlugin(name: $n) { id } }', { n: name }, admin);
    const agent = (await gql('mutation($p: String!) { login(workspace: "demo", email: "agent@demo.kefu.local", password: $p) { token } }', { p: password })).login.token;
    await gql('mutation { saveCannedReply(title: "问候", shortcut: "hi", template: "您好 {{customer.name}}，我是{{agent.name}}。") { id } }', {}, admin);

    const names = ['王女士', '李先生', '张女士', '刘先生', '陈女士', '杨先生', '赵女士', '黄先生', '周女士', '吴先生', '徐女士', '孙先生'];
    log(`demo data: ${names.length} visitors asking for a human …`);
    for (const [i, n] of names.entries()) {
      const v = (await gql('mutation($k: String!, $n: String) { startVisitorSession(channelKey: $k, displayName: $n) { token } }', { k: demo.widgetChannelKey, n })).startVisitorSession.token;
      const c = (await gql('mutation($t: [TrailEntryInput!]) { startConversation(trail: $t) { id } }', { t: [{ url: `https://shop.example/p/${i}`, title: `商品 ${i}`, at: new Date().toISOString() }] }, v)).startConversation;
      for (let k = 0; k < 100; k++) {
        const s = (await gql('query($id: ID!) { conversation(id: $id) { status } }', { id: c.id }, v)).conversation.status;
        if (s === 'bot') break;
        await new Promise((r) => setTimeout(r, 100));
      }
      await gql('mutation($c: ID!) { sendMessage(conversationId: $c, type: "text", body: { text: "转人工" }) { seq } }', { c: c.id }, v);
      await gql('mutation($c: ID!) { sendMessage(conversationId: $c, type: "text", body: { text: "我的订单什么时候发货？" }) { seq } }', { c: c.id }, v);
    }
    await gql('mutation { setMyStatus(status: online) { status } }', {}, agent);
    for (let k = 0; k < 100; k++) {
      const mine = (await gql('{ conversations(mine: true, status: ["assigned"]) { id } }', {}, agent)).conversations;
      if (mine.length >= 3) break;
      await new Promise((r) => setTimeout(r, 200));
    }

    const measure = async (ctx: Awaited<ReturnType<typeof browser.newContext>>, reload: boolean) => {
      const page = ctx.pages()[0] ?? await ctx.newPage();
      if (reload) await page.reload({ waitUntil: 'commit' }); else await page.goto(`${url}/admin/workbench`, { waitUntil: 'commit' });
      await page.waitForFunction(() => (window as unknown as { __khListAt?: number }).__khListAt !== undefined, null, { timeout: 30_000 });
      return page.evaluate(() => ({
        at: (window as unknown as { __khListAt: number }).__khListAt,
        js: performance.getEntriesByType('resource').filter((r) => r.name.endsWith('.js')).reduce((a, r) => a + (r as PerformanceResourceTiming).transferSize, 0),
      }));
    };
    for (let i = 0; i < RUNS; i++) {
      const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN' });
      await ctx.addInitScript((token: string) => {
        localStorage.setItem('kefu.token', token);
        // Marks the moment the first inbox item is in the DOM (performance.now() counts from navigation start).
        const mark = () => { if (document.querySelector('[data-testid^="conv-item-"]')) { (window as unknown as { __khListAt?: number }).__khListAt ??= performance.now(); return true; } return false; };
        new MutationObserver((_, obs) => { if (mark()) obs.disconnect(); }).observe(document, { childList: true, subtree: true });
      }, agent);
      const cold = await measure(ctx, false);
      const warm = await measure(ctx, true);
      tti.cold.push(cold.at);
      tti.warm.push(warm.at);
      tti.jsTransfer.push(cold.js);
      await ctx.close();
      log(`run ${i + 1}: cold ${cold.at.toFixed(0)} ms, warm ${warm.at.toFixed(0)} ms`);
    }
  } finally {
    await browser.close();
    await hub.stop();
    await temporal.stop();
    const conn = await createConnection({ host: dbUrl.hostname, port: Number(dbUrl.port || 3306), user: decodeURIComponent(dbUrl.username || 'root'), password: decodeURIComponent(dbUrl.password) });
    await conn.query(`drop database if exists \`kefu_bench_ui_${suffix}\``);
    await conn.end();
  }

  const wb = sizes.rows.find((r) => r.route === '/admin/workbench')!;
  const sizeTable = [
    '| route | JS chunks | JS raw (kB) | JS gzip (kB) | of which the page itself (kB gz) | CSS gzip (kB) |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...sizes.rows.map((r) => `| \`${r.route}\` | ${r.chunks} | ${kb(r.raw)} | **${kb(r.gz)}** | ${kb(r.ownGz)} | ${kb(r.cssGz)} |`),
  ].join('\n');
  const ttiTable = [
    '| measure | median | min | max |',
    '| --- | ---: | ---: | ---: |',
    `| workbench TTI, cold (empty cache) | ${median(tti.cold).toFixed(0)} ms | ${Math.min(...tti.cold).toFixed(0)} ms | ${Math.max(...tti.cold).toFixed(0)} ms |`,
    `| workbench TTI, warm (reload) | ${median(tti.warm).toFixed(0)} ms | ${Math.min(...tti.warm).toFixed(0)} ms | ${Math.max(...tti.warm).toFixed(0)} ms |`,
    `| JS transferred on a cold load | ${kb(median(tti.jsTransfer))} kB | | |`,
  ].join('\n');
  const verdict = wb.gz / 1024 < BUDGET_KB ? `within the ${BUDGET_KB} kB budget` : `OVER the ${BUDGET_KB} kB budget`;
  console.log(`\n${sizeTable}\n\n${ttiTable}\n\nworkbench route: ${kb(wb.gz)} kB gzipped JS (${verdict}); shared entry ${kb(sizes.entryGz)} kB; all JS ${kb(sizes.totalGz)} kB in ${sizes.totalFiles} files\n`);
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', 'results', 'ui.md'), [
    `# Admin UI benchmark (${new Date().toISOString()})`,
    '',
    `Machine: 2 cores. Command: \`node bench/ui.ts --runs ${RUNS}\`. Chromium ${chromiumVersion}, headless, 1366×768, on loopback.`,
    '',
    '## JavaScript per route (production build)',
    '',
    'What a browser downloads to show the route: the entry chunk, the route\'s lazy chunk and their static imports, gzip level 9.',
    `The workbench route is **${kb(wb.gz)} kB** (${verdict}). Shared entry (router, layout, login, i18n, GraphQL client): ${kb(sizes.entryGz)} kB. All JS of the app: ${kb(sizes.totalGz)} kB in ${sizes.totalFiles} files.`,
    '',
    sizeTable,
    '',
    '## Time to interactive of the workbench',
    '',
    `Demo workspace with 12 visitors asking for a human, 3 assigned to the signed-in agent. Navigation start → the first conversation of the inbox list is in the DOM. ${RUNS} runs.`,
    '',
    ttiTable,
    '',
  ].join('\n'));
  log('wrote bench/results/ui.md');
}

process.on('unhandledRejection', (err) => console.error('[bench:ui] unhandled rejection:', err));
main().then(() => process.exit(0), (err: unknown) => { console.error(`[bench:ui] ${(err as Error).stack ?? String(err)}`); process.exit(1); });

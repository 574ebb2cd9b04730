import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { QueueEvents } from 'bullmq';
import { startTestHub, signUp, ok, code, waitFor, type TestHub } from './helpers/hub.ts';
import { parseCsv, writeCsv, joinVariants, splitVariants } from '../core/knowledge/csv.ts';
import { features, prepare, rank } from '../core/knowledge/search.ts';
import { dayWindows, localDate } from '../core/stats/bot-metrics.ts';
import { QUEUE_NAMES, redisConnection } from '../core/queues/queues.ts';
import { runKnowledgeImport } from '../core/knowledge/import.ts';
import { workspaceEm } from '../core/db/orm.ts';
import { KnowledgeImport } from '../core/db/entities/index.ts';

// ── pure functions ─────────────────────────────────────────────────────────────────────────────────

void describe('knowledge CSV', () => {
  void test('quotes, escaped quotes, commas and line breaks inside fields, CRLF, BOM, blank lines', () => {
    const text = '\uFEFFa,b,c\r\n1,"x, y","he said ""hi"""\r\n\r\n2,"line 1\r\nline 2",\n3,,"last"';
    const r = parseCsv(text);
    assert.deepEqual(r.map((x) => x.fields), [['a', 'b', 'c'], ['1', 'x, y', 'he said "hi"'], ['2', 'line 1\r\nline 2', ''], ['3', '', 'last']]);
    assert.deepEqual(r.map((x) => x.record), [1, 2, 3, 4]);
    assert.deepEqual(r.map((x) => x.line), [1, 2, 4, 6]);
    assert.ok(r.every((x) => !x.error));
    assert.deepEqual(parseCsv('a\rb\r').map((x) => x.fields), [['a'], ['b']]);
  });

  void test('malformed records are flagged, not fatal', () => {
    const r = parseCsv('a,b\n"x"y,1\nok,"unterminated\n');
    assert.match(r[1]!.error!, /after a closing quote/);
    assert.match(r[2]!.error!, /unterminated/);
    assert.match(parseCsv('a,b"c\n')[0]!.error!, /stray quote/);
  });

  void test('writing and reading back gives the same rows; variants escape |', () => {
    const rows = [['售后 > 退换货', 'a,b', 'x\ny', ' padded ', 'q"uote'], ['', '', '', '', '']];
    const back = parseCsv(writeCsv(['c1', 'c2', 'c3', 'c4', 'c5'], rows));
    assert.deepEqual(back.slice(1).map((x) => x.fields), rows);
    const variants = ['a|b', 'c\\d', '退货'];
    assert.deepEqual(splitVariants(joinVariants(variants)), variants);
    assert.deepEqual(splitVariants(' a | b ||c\\x'), ['a', 'b', 'c\\x']);
  });
});

void describe('knowledge search scorer', () => {
  void test('CJK bigrams and stemmed words; the best form wins', () => {
    assert.deepEqual(features('怎么退货？'), ['退货']);
    assert.deepEqual(features('Shipping takes how long?'), ['shipp', 'take', 'long']);
    const items = prepare([
      { id: 'ret', question: '如何退货', variants: ['我想退货'] },
      { id: 'inv', question: '发票怎么开', variants: ['开发票', 'invoice'] },
    ]);
    assert.equal(rank('我想开发票', items)[0]!.item.id, 'inv');
    assert.equal(rank('I need an invoice', items)[0]!.item.id, 'inv');
    assert.deepEqual(rank('天气', items), []);
  });
});

void describe('bot metrics day windows', () => {
  void test("local days in the workspace's zone, clipped to the range; DST days are 23/25 hours", () => {
    const w = dayWindows(new Date('2026-03-01T16:00:00Z'), new Date('2026-03-03T10:00:00Z'), 'Asia/Shanghai');
    assert.deepEqual(w.map((d) => [d.day, d.start.toISOString(), d.end.toISOString()]), [
      ['2026-03-02', '2026-03-01T16:00:00.000Z', '2026-03-02T16:00:00.000Z'],
      ['2026-03-03', '2026-03-02T16:00:00.000Z', '2026-03-03T10:00:00.000Z'],
    ]);
    const ny = dayWindows(new Date('2026-03-08T05:00:00Z'), new Date('2026-03-09T04:00:00Z'), 'America/New_York');
    assert.equal(ny.length, 1);
    assert.equal(ny[0]!.end.getTime() - ny[0]!.start.getTime(), 23 * 3600_000);
    assert.equal(localDate(Date.parse('2026-03-01T16:30:00Z'), 'Asia/Shanghai'), '2026-03-02');
  });
});

// ── the API on the real services ───────────────────────────────────────────────────────────────────

let th: TestHub;
before(async () => { th = await startTestHub(); });
after(async () => { await th?.close(); });

const ENTRY = 'id question variants answer answerType answerBody visibility enabled version categoryId categoryPath';
const IMPORT = 'id status total processed progress created updated skipped errorCount failedRows errors { row field message } message';

interface Ws { slug: string; admin: string; operator: string; agent: string; workspaceId: string }

async function workspace(prefix: string): Promise<Ws> {
  const slug = `${prefix}-${randomUUID().slice(0, 6)}`;
  const { token: admin, workspaceId } = await signUp(th.gql, slug);
  const login = async (email: string, roles: string) => {
    ok(await th.gql(`mutation { createUser(email: "${email}", name: "${email}", password: "a long password 1", roles: [${roles}]) { id } }`, {}, admin));
    return ok(await th.gql(`mutation { login(workspace: "${slug}", email: "${email}", password: "a long password 1") { token } }`)).login.token as string;
  };
  return { slug, admin, workspaceId, operator: await login(`op@${slug}.test`, 'operator'), agent: await login(`agent@${slug}.test`, 'agent') };
}

async function createEntry(token: string, vars: Record<string, unknown>) {
  return th.gql(
    `mutation($q: String!, $v: [String!], $a: String, $t: KnowledgeAnswerType, $b: JSON, $vis: KnowledgeVisibility, $c: ID, $e: Boolean) {
      createKnowledgeEntry(question: $q, variants: $v, answer: $a, answerType: $t, answerBody: $b, visibility: $vis, categoryId: $c, enabled: $e) { ${ENTRY} } }`,
    vars, token,
  );
}

async function importFile(token: string, format: 'CSV' | 'JSON', content: string, mode: 'upsert' | 'skip' = 'upsert') {
  const started = ok(await th.gql(`mutation($f: KnowledgeFormat!, $c: String!, $m: KnowledgeImportMode) { importKnowledge(format: $f, content: $c, mode: $m) { id status } }`, { f: format, c: content, m: mode }, token)).importKnowledge;
  return waitFor(async () => {
    const i = ok(await th.gql(`query($id: ID!) { knowledgeImport(id: $id) { ${IMPORT} } }`, { id: started.id }, token)).knowledgeImport;
    return i.status === 'completed' || i.status === 'failed' ? i : null;
  }, `import ${started.id}`, 60_000, 100);
}

const exportAll = async (token: string, format: 'CSV' | 'JSON') => ok(await th.gql('query($f: KnowledgeFormat!) { exportKnowledge(format: $f) }', { f: format }, token)).exportKnowledge as string;

void describe('knowledge base API', () => {
  let a: Ws;
  let b: Ws;
  before(async () => {
    a = await workspace('kb-a');
    b = await workspace('kb-b');
  });

  void test('categories, entries, versioned edits, stale expectedVersion → CONFLICT, restore as a new version, audit', async () => {
    const root = ok(await th.gql('mutation { createKnowledgeCategory(name: "售后", sort: 1) { id path } }', {}, a.operator)).createKnowledgeCategory;
    const child = ok(await th.gql('mutation($p: ID) { createKnowledgeCategory(name: "退换货", parentId: $p) { id path parentId } }', { p: root.id }, a.operator)).createKnowledgeCategory;
    assert.equal(child.path, '售后 > 退换货');
    assert.equal(code(await th.gql('mutation($p: ID) { createKnowledgeCategory(name: "退换货", parentId: $p) { id } }', { p: root.id }, a.operator)), 'CONFLICT');
    assert.equal(code(await th.gql('mutation { createKnowledgeCategory(name: "a > b") { id } }', {}, a.operator)), 'BAD_USER_INPUT');

    const v1 = ok(await createEntry(a.operator, { q: '如何退货？', v: ['我想退货', ' 我想退货 ', 'how do I return an item'], a: '在订单页点击“申请退货”。', vis: 'public', c: child.id })).createKnowledgeEntry;
    assert.equal(v1.version, 1);
    assert.deepEqual(v1.variants, ['我想退货', 'how do I return an item']);
    assert.equal(v1.categoryPath, '售后 > 退换货');
    assert.equal(v1.answerType, 'text');

    const upd = `mutation($id: ID!, $ev: Int!, $a: String, $t: KnowledgeAnswerType, $b: JSON, $vis: KnowledgeVisibility, $c: ID, $e: Boolean) {
      updateKnowledgeEntry(id: $id, expectedVersion: $ev, answer: $a, answerType: $t, answerBody: $b, visibility: $vis, categoryId: $c, enabled: $e) { ${ENTRY} } }`;
    const v2 = ok(await th.gql(upd, { id: v1.id, ev: 1, a: '7 天内可在订单页申请退货。' }, a.operator)).updateKnowledgeEntry;
    assert.equal(v2.version, 2);
    // Someone still editing version 1 is refused.
    const stale = await th.gql(upd, { id: v1.id, ev: 1, a: 'an old edit' }, a.operator);
    assert.equal(code(stale), 'CONFLICT');
    assert.equal((stale.errors![0]!.extensions as any).details.currentVersion, 2);
    // No change, no version.
    assert.equal(ok(await th.gql(upd, { id: v1.id, ev: 2, a: '7 天内可在订单页申请退货。' }, a.operator)).updateKnowledgeEntry.version, 2);
    // A rich answer: the plain answer is derived from it.
    const v3 = ok(await th.gql(upd, { id: v1.id, ev: 2, t: 'link', b: { url: 'https://help.example/returns', title: '退货指南' } }, a.operator)).updateKnowledgeEntry;
    assert.equal(v3.version, 3);
    assert.equal(v3.answerType, 'link');
    assert.deepEqual(v3.answerBody, { url: 'https://help.example/returns', title: '退货指南' });
    assert.equal(v3.answer, '退货指南\nhttps://help.example/returns');
    const bad = await th.gql(upd, { id: v1.id, ev: 3, t: 'link', b: { url: 'javascript:alert(1)', title: 'x' } }, a.operator);
    assert.equal(code(bad), 'BAD_USER_INPUT');
    assert.equal((bad.errors![0]!.extensions as any).details.issues[0].path, 'answerBody.url');

    const withRevs = ok(await th.gql('query($id: ID!) { knowledgeEntry(id: $id) { version revisions { id version action authorId snapshot } } }', { id: v1.id }, a.operator)).knowledgeEntry;
    assert.deepEqual(withRevs.revisions.map((r: any) => [r.version, r.action]), [[3, 'update'], [2, 'update'], [1, 'create']]);
    assert.ok(withRevs.revisions.every((r: any) => typeof r.authorId === 'string'));
    assert.equal(withRevs.revisions[2].snapshot.answer, '在订单页点击“申请退货”。');

    const restored = ok(await th.gql(`mutation($r: ID!) { restoreKnowledgeRevision(revisionId: $r, expectedVersion: 3) { ${ENTRY} revisions { version action } } }`, { r: withRevs.revisions[2].id }, a.operator)).restoreKnowledgeRevision;
    assert.equal(restored.version, 4);
    assert.equal(restored.answer, '在订单页点击“申请退货”。');
    assert.equal(restored.answerType, 'text');
    assert.equal(restored.answerBody, null);
    assert.deepEqual(restored.revisions.map((r: any) => [r.version, r.action]), [[4, 'restore'], [3, 'update'], [2, 'update'], [1, 'create']]);
    assert.equal(code(await th.gql('mutation($r: ID!) { restoreKnowledgeRevision(revisionId: $r, expectedVersion: 3) { id } }', { r: withRevs.revisions[1].id }, a.operator)), 'CONFLICT');

    // Validation and duplicates.
    const empty = await createEntry(a.operator, { q: '   ', a: 'x' });
    assert.equal(code(empty), 'BAD_USER_INPUT');
    assert.equal((empty.errors![0]!.extensions as any).details.issues[0].path, 'question');
    assert.equal(code(await createEntry(a.operator, { q: 'x'.repeat(501), a: 'x' })), 'BAD_USER_INPUT');
    assert.equal(code(await createEntry(a.operator, { q: '如何退货？', a: 'dup' })), 'CONFLICT');
    assert.equal(code(await createEntry(a.operator, { q: 'new', a: 'x', c: randomUUID() })), 'NOT_FOUND');

    // Renaming a category rewrites the stored path; a non-empty category cannot be deleted.
    const renamed = ok(await th.gql('mutation($id: ID!) { updateKnowledgeCategory(id: $id, name: "售后服务") { id name path } }', { id: root.id }, a.operator)).updateKnowledgeCategory;
    assert.deepEqual([renamed.name, renamed.path], ['售后服务', '售后服务']);
    const tree = ok(await th.gql('{ knowledgeCategories { id path entryCount } }', {}, a.operator)).knowledgeCategories;
    assert.deepEqual(tree.find((c: any) => c.id === child.id), { id: child.id, path: '售后服务 > 退换货', entryCount: 1 });
    assert.equal(ok(await th.gql('query($id: ID!) { knowledgeEntry(id: $id) { categoryPath category { path } } }', { id: v1.id }, a.operator)).knowledgeEntry.categoryPath, '售后服务 > 退换货');
    assert.equal(code(await th.gql('mutation($id: ID!) { deleteKnowledgeCategory(id: $id) }', { id: child.id }, a.operator)), 'CONFLICT');
    assert.equal(code(await th.gql('mutation($id: ID!, $p: ID) { updateKnowledgeCategory(id: $id, parentId: $p) { id } }', { id: root.id, p: child.id }, a.operator)), 'BAD_USER_INPUT');

    const list = ok(await th.gql('query($c: ID) { knowledgeEntries(categoryId: $c) { total items { id } } }', { c: root.id }, a.operator)).knowledgeEntries;
    assert.deepEqual(list, { total: 1, items: [{ id: v1.id }] });
    const found = ok(await th.gql('{ knowledgeEntries(search: "申请退货") { total } }', {}, a.operator)).knowledgeEntries;
    assert.equal(found.total, 1);
    assert.equal(ok(await th.gql('{ knowledgeEntries(search: "100%_") { total } }', {}, a.operator)).knowledgeEntries.total, 0);

    // Delete: stale version refused, then gone; the history stays in the audit log.
    assert.equal(code(await th.gql('mutation($id: ID!) { deleteKnowledgeEntry(id: $id, expectedVersion: 1) }', { id: v1.id }, a.operator)), 'CONFLICT');
    assert.equal(ok(await th.gql('mutation($id: ID!) { deleteKnowledgeEntry(id: $id, expectedVersion: 4) }', { id: v1.id }, a.operator)).deleteKnowledgeEntry, true);
    assert.equal(code(await th.gql('query($id: ID!) { knowledgeEntry(id: $id) { id } }', { id: v1.id }, a.operator)), 'NOT_FOUND');
    ok(await th.gql('mutation($id: ID!) { deleteKnowledgeCategory(id: $id) }', { id: child.id }, a.operator));

    const audit = ok(await th.gql('{ auditLog(limit: 100) { action targetId actorId } }', {}, a.admin)).auditLog.filter((l: any) => l.targetId === v1.id).map((l: any) => l.action);
    assert.deepEqual(audit.sort(), ['knowledge_entry.create', 'knowledge_entry.delete', 'knowledge_entry.restore', 'knowledge_entry.update', 'knowledge_entry.update'].sort());
  });

  void test('roles: operators and admins edit, agents read (enabled only), visitors nothing, other workspaces NOT_FOUND', async () => {
    const pub = ok(await createEntry(a.operator, { q: '运费怎么算', a: '满 99 元包邮。', vis: 'public' })).createKnowledgeEntry;
    const internal = ok(await createEntry(a.admin, { q: '内部折扣政策', a: 'VIP 9 折。', vis: 'internal' })).createKnowledgeEntry;
    const disabled = ok(await createEntry(a.operator, { q: '已停用的条目', a: 'old', e: false })).createKnowledgeEntry;

    const agentView = ok(await th.gql('{ knowledgeEntries(limit: 100) { total items { id visibility } } }', {}, a.agent)).knowledgeEntries;
    const ids = agentView.items.map((e: any) => e.id);
    assert.ok(ids.includes(pub.id) && ids.includes(internal.id), 'agents read internal and public entries');
    assert.ok(!ids.includes(disabled.id), 'agents do not see disabled entries');
    const opIds = ok(await th.gql('{ knowledgeEntries(limit: 100) { items { id } } }', {}, a.operator)).knowledgeEntries.items.map((e: any) => e.id);
    assert.ok(opIds.includes(disabled.id));
    assert.equal(ok(await th.gql('{ knowledgeEntries(visibility: internal) { total } }', {}, a.agent)).knowledgeEntries.total, 1);

    assert.equal(code(await createEntry(a.agent, { q: 'agent entry', a: 'x' })), 'FORBIDDEN');
    assert.equal(code(await th.gql('mutation($id: ID!) { updateKnowledgeEntry(id: $id, expectedVersion: 1, answer: "x") { id } }', { id: pub.id }, a.agent)), 'FORBIDDEN');
    assert.equal(code(await th.gql('mutation($id: ID!) { deleteKnowledgeEntry(id: $id) }', { id: pub.id }, a.agent)), 'FORBIDDEN');
    assert.equal(code(await th.gql('{ exportKnowledge(format: CSV) }', {}, a.agent)), 'FORBIDDEN');
    assert.equal(code(await th.gql('mutation { importKnowledge(format: CSV, content: "question,answer\\nq,a") { id } }', {}, a.agent)), 'FORBIDDEN');
    assert.equal(code(await th.gql('mutation { createKnowledgeCategory(name: "x") { id } }', {}, a.agent)), 'FORBIDDEN');

    const channel = ok(await th.gql('mutation { createChannel(kind: "web-widget", name: "site") { publicKey } }', {}, a.admin)).createChannel;
    const visitor = ok(await th.gql('mutation($k: String!) { startVisitorSession(channelKey: $k) { token } }', { k: channel.publicKey })).startVisitorSession.token;
    assert.equal(code(await th.gql('{ knowledgeEntries { total } }', {}, visitor)), 'FORBIDDEN');
    assert.equal(code(await th.gql('{ knowledgeCategories { id } }', {}, visitor)), 'FORBIDDEN');
    assert.equal(code(await th.gql('query($id: ID!) { knowledgeEntry(id: $id) { id } }', { id: pub.id }, visitor)), 'FORBIDDEN');
    assert.equal(code(await th.gql('{ knowledgeEntries { total } }')), 'UNAUTHENTICATED');

    // Another workspace's operator: the entry does not exist for them.
    assert.equal(code(await th.gql('query($id: ID!) { knowledgeEntry(id: $id) { id } }', { id: pub.id }, b.operator)), 'NOT_FOUND');
    assert.equal(code(await th.gql('mutation($id: ID!) { updateKnowledgeEntry(id: $id, expectedVersion: 1, answer: "hijack") { id } }', { id: pub.id }, b.operator)), 'NOT_FOUND');
    assert.equal(code(await th.gql('mutation($id: ID!) { deleteKnowledgeEntry(id: $id) }', { id: pub.id }, b.operator)), 'NOT_FOUND');
    const revId = ok(await th.gql('query($id: ID!) { knowledgeEntry(id: $id) { revisions { id } } }', { id: pub.id }, a.operator)).knowledgeEntry.revisions[0].id;
    assert.equal(code(await th.gql('mutation($r: ID!) { restoreKnowledgeRevision(revisionId: $r) { id } }', { r: revId }, b.operator)), 'NOT_FOUND');
    assert.equal(ok(await th.gql('{ knowledgeEntries { total } }', {}, b.operator)).knowledgeEntries.total, 0);
    assert.equal(ok(await th.gql('query($id: ID!) { knowledgeEntry(id: $id) { answer } }', { id: pub.id }, a.admin)).knowledgeEntry.answer, '满 99 元包邮。');
  });

  void test('import: quoted commas and line breaks are read; bad rows are listed and not written; good rows are; progress reaches total', async () => {
    const w = await workspace('kb-imp');
    const long = '长'.repeat(501);
    const csv = '\uFEFF' + [
      'category,question,variants,answer,visibility',
      '售后 > 退换货,"如何退货, 换货？","我想退货|退换货流程","第一行\r\n第二行, 含逗号 ""引号""",public',
      '物流,运费怎么算,,满99包邮,internal',
      '物流,发货时间,,48小时内发货,secret',
      '物流,,空问题的变体,答案,public',
      '售后,"如何退货, 换货？",,重复,public',
      `,${long},,a,public`,
      '新分类 > 子类,How long is shipping?,shipping time|delivery time,3-5 days,',
    ].join('\r\n') + '\r\n';
    const events: { processed: number; total: number }[] = [];
    const qe = new QueueEvents(QUEUE_NAMES.knowledgeImport, { connection: redisConnection(th.config.KEFU_REDIS_URL), prefix: `kefu:${th.config.KEFU_NAMESPACE}` });
    qe.on('progress', ({ data }) => { events.push(data as { processed: number; total: number }); });
    await qe.waitUntilReady();
    try {
      const imp = await importFile(w.operator, 'CSV', csv);
      assert.equal(imp.status, 'completed', JSON.stringify(imp));
      assert.equal(imp.total, 7);
      assert.equal(imp.processed, 7);
      assert.equal(imp.progress, 1);
      assert.deepEqual([imp.created, imp.updated, imp.skipped, imp.errorCount, imp.failedRows], [3, 0, 0, 4, 4]);
      assert.deepEqual(imp.errors.map((e: any) => [e.row, e.field]), [[4, 'visibility'], [5, 'question'], [6, 'question'], [7, 'question']]);
      assert.match(imp.errors[0].message, /public or internal/);
      assert.match(imp.errors[1].message, /empty/);
      assert.match(imp.errors[2].message, /duplicate question \(same as row 2\)/);
      assert.match(imp.errors[3].message, /longer than 500/);
      await waitFor(async () => events.some((e) => e.processed === 7 && e.total === 7), 'progress event at total');
      const job = await th.hub.services.queues.knowledgeImport.getJob(imp.id);
      assert.equal((job?.progress as { processed: number }).processed, 7);
    } finally {
      await qe.close();
    }

    const entries = ok(await th.gql(`{ knowledgeEntries(limit: 50) { total items { ${ENTRY} } } }`, {}, w.operator)).knowledgeEntries;
    assert.equal(entries.total, 3);
    const byQ = Object.fromEntries(entries.items.map((e: any) => [e.question, e]));
    assert.equal(byQ['如何退货, 换货？'].answer, '第一行\r\n第二行, 含逗号 "引号"');
    assert.deepEqual(byQ['如何退货, 换货？'].variants, ['我想退货', '退换货流程']);
    assert.equal(byQ['如何退货, 换货？'].categoryPath, '售后 > 退换货');
    assert.equal(byQ['运费怎么算'].visibility, 'internal');
    assert.equal(byQ['How long is shipping?'].visibility, 'public');
    assert.equal(byQ['How long is shipping?'].categoryPath, '新分类 > 子类');
    const cats = ok(await th.gql('{ knowledgeCategories { name path entryCount } }', {}, w.operator)).knowledgeCategories;
    assert.deepEqual(cats.map((c: any) => c.path).sort(), ['售后', '售后 > 退换货', '新分类', '新分类 > 子类', '物流'].sort());

    // Again with mode skip: existing questions are left alone.
    const skip = await importFile(w.operator, 'CSV', csv, 'skip');
    assert.deepEqual([skip.created, skip.updated, skip.skipped, skip.errorCount], [0, 0, 3, 4]);
    // Upsert with one changed answer: one new version, written by the import.
    const changed = await importFile(w.operator, 'CSV', 'question,answer,visibility\n运费怎么算,满 199 包邮,internal\nHow long is shipping?,3-5 days,\n');
    assert.deepEqual([changed.created, changed.updated, changed.skipped, changed.errorCount], [0, 1, 1, 0]);
    const shipping = ok(await th.gql('query($id: ID!) { knowledgeEntry(id: $id) { answer version categoryPath revisions { version action } } }', { id: byQ['运费怎么算'].id }, w.operator)).knowledgeEntry;
    assert.equal(shipping.answer, '满 199 包邮');
    assert.deepEqual(shipping.revisions.map((r: any) => [r.version, r.action]), [[2, 'import'], [1, 'import']]);
    assert.equal(shipping.categoryPath, '物流', 'a file without a category column keeps the category');

    // Whole-file problems: the import fails with a message; invalid UTF-8 is refused up front.
    const broken = await importFile(w.operator, 'JSON', '{ not json');
    assert.equal(broken.status, 'failed');
    assert.match(broken.message, /not valid JSON/);
    const noHeader = await importFile(w.operator, 'CSV', 'foo,bar\n1,2\n');
    assert.equal(noHeader.status, 'failed');
    assert.match(noHeader.message, /no "question" column/);
    const json = await importFile(w.operator, 'JSON', JSON.stringify([{ question: 'JSON 条目', answer: 'ok', variants: ['json entry'] }, 'nope', { question: 'card', answerType: 'card', answerBody: { title: '会员卡' } }]));
    assert.deepEqual([json.created, json.errorCount, json.failedRows], [2, 1, 1]);
    assert.deepEqual(json.errors.map((e: any) => e.row), [2]);
    const latin1 = Buffer.from([0x71, 0x75, 0x65, 0x73, 0x74, 0x69, 0x6f, 0x6e, 0x2c, 0x61, 0x6e, 0x73, 0x77, 0x65, 0x72, 0x0a, 0xe9, 0x2c, 0xff, 0x0a]).toString('base64');
    const refused = await th.gql('mutation($b: String!) { importKnowledge(format: CSV, contentBase64: $b) { id } }', { b: latin1 }, w.operator);
    assert.equal(code(refused), 'BAD_USER_INPUT');
    assert.match(refused.errors![0]!.message, /not valid UTF-8/);
    // GB18030 bytes (a file saved by Chinese Excel), declared as such.
    const gb = Buffer.from('b7d6c0e02ccecacce22cb4f0b0b80d0acadbbaf32cd4f5c3b4cdcbbbf52cc6dfcceccedec0edd3c90d0a', 'hex').toString('base64');
    const gbStart = ok(await th.gql('mutation($b: String!) { importKnowledge(format: CSV, contentBase64: $b, encoding: GB18030) { id } }', { b: gb }, w.operator)).importKnowledge;
    const gbDone = await waitFor(async () => {
      const i = ok(await th.gql(`query($id: ID!) { knowledgeImport(id: $id) { ${IMPORT} } }`, { id: gbStart.id }, w.operator)).knowledgeImport;
      return i.status === 'completed' ? i : null;
    }, 'GB18030 import');
    assert.equal(gbDone.created, 1);
    assert.equal(ok(await th.gql('{ knowledgeEntries(search: "七天无理由") { items { question categoryPath } } }', {}, w.operator)).knowledgeEntries.items[0].question, '怎么退货');

    // Another workspace cannot see the import.
    assert.equal(code(await th.gql('query($id: ID!) { knowledgeImport(id: $id) { id } }', { id: gbStart.id }, b.operator)), 'NOT_FOUND');
    const log = ok(await th.gql('{ auditLog(limit: 200) { action } }', {}, w.admin)).auditLog.map((l: any) => l.action);
    assert.ok(log.includes('knowledge.import') && log.includes('knowledge.import_batch'));
  });

  void test('a 5,000-row import completes in batches, reporting progress', async () => {
    const w = await workspace('kb-big');
    const rows = Array.from({ length: 5000 }, (_, i) => [`分类${i % 10} > 子类${i % 3}`, `问题 ${i} 怎么办`, `变体 ${i}|variant ${i}`, `答案 ${i}`, i % 2 ? 'public' : 'internal']);
    const csv = writeCsv(['category', 'question', 'variants', 'answer', 'visibility'], rows);
    const progress: number[] = [];
    const qe = new QueueEvents(QUEUE_NAMES.knowledgeImport, { connection: redisConnection(th.config.KEFU_REDIS_URL), prefix: `kefu:${th.config.KEFU_NAMESPACE}` });
    qe.on('progress', ({ data }) => { progress.push((data as { processed: number }).processed); });
    await qe.waitUntilReady();
    const t0 = Date.now();
    try {
      const imp = await importFile(w.operator, 'CSV', csv);
      assert.equal(imp.status, 'completed');
      assert.deepEqual([imp.total, imp.processed, imp.created, imp.errorCount], [5000, 5000, 5000, 0]);
      await waitFor(async () => progress.includes(5000), 'final progress');
    } finally {
      await qe.close();
    }
    for (const step of [500, 1000, 2500, 4500]) assert.ok(progress.includes(step), `progress reported at ${step}: ${progress.join(',')}`);
    assert.ok(Date.now() - t0 < 60_000);
    assert.equal(ok(await th.gql('{ knowledgeEntries(limit: 1) { total } }', {}, w.operator)).knowledgeEntries.total, 5000);
    assert.equal(ok(await th.gql('{ knowledgeCategories { id } }', {}, w.operator)).knowledgeCategories.length, 10 + 30);
  });

  void test('an import interrupted after a committed batch resumes there on retry (no double counting)', async () => {
    const w = await workspace('kb-resume');
    const rows = Array.from({ length: 1200 }, (_, i) => ['', `续传问题 ${i}`, '', `答案 ${i}`, i === 700 ? 'nope' : 'public']);
    const content = writeCsv(['category', 'question', 'variants', 'answer', 'visibility'], rows);
    const em = workspaceEm(th.hub.services.orm, w.workspaceId);
    const imp = em.create(KnowledgeImport, { workspaceId: w.workspaceId, format: 'CSV', mode: 'upsert', errors: [], message: null, createdById: null });
    await em.flush();
    const data = { importId: imp.id, workspaceId: w.workspaceId, format: 'CSV' as const, mode: 'upsert' as const, content, actor: { actorType: 'system', actorId: null }, authorId: null };
    // The worker dies right after the second batch committed.
    let calls = 0;
    await assert.rejects(runKnowledgeImport(th.hub.services.orm, data, async () => { if (++calls === 2) throw new Error('worker crashed'); }), /worker crashed/);
    const mid = ok(await th.gql(`query($id: ID!) { knowledgeImport(id: $id) { ${IMPORT} } }`, { id: imp.id }, w.operator)).knowledgeImport;
    assert.deepEqual([mid.status, mid.processed, mid.created, mid.errorCount], ['running', 1000, 999, 1]);
    const seen: number[] = [];
    const done = await runKnowledgeImport(th.hub.services.orm, data, async (p) => { seen.push(p.processed); });
    assert.deepEqual(seen, [1200, 1200]);
    assert.deepEqual([done.status, done.processed, done.created, done.errorCount], ['completed', 1200, 1199, 1]);
    const end = ok(await th.gql(`query($id: ID!) { knowledgeImport(id: $id) { ${IMPORT} } }`, { id: imp.id }, w.operator)).knowledgeImport;
    assert.deepEqual([end.created, end.skipped, end.errors.map((e: any) => e.row)], [1199, 0, [702]]);
    assert.equal(ok(await th.gql('{ knowledgeEntries(limit: 1) { total } }', {}, w.operator)).knowledgeEntries.total, 1199);
  });

  void test('export → import into an empty workspace → export again gives the same file (CSV and JSON)', async () => {
    const src = await workspace('kb-src');
    const cat = ok(await th.gql('mutation { createKnowledgeCategory(name: "会员") { id } }', {}, src.operator)).createKnowledgeCategory;
    const sub = ok(await th.gql('mutation($p: ID) { createKnowledgeCategory(name: "积分/等级", parentId: $p) { id } }', { p: cat.id }, src.operator)).createKnowledgeCategory;
    ok(await createEntry(src.operator, { q: '积分怎么用？', v: ['积分|抵现', 'points'], a: '积分可抵现,\n100 积分 = 1 元 "实时到账"', c: sub.id }));
    ok(await createEntry(src.operator, { q: 'VIP 权益', a: '', t: 'card', b: { title: 'VIP', description: '专属客服', actions: [{ label: '了解', value: 'vip' }] }, vis: 'internal', c: cat.id }));
    ok(await createEntry(src.operator, { q: '  leading space question', a: ' trailing ', e: false }));
    ok(await createEntry(src.operator, { q: '图片答案', t: 'image', b: { url: 'https://img.example/a.png', alt: '示意图' } }));
    for (const format of ['CSV', 'JSON'] as const) {
      const first = await exportAll(src.operator, format);
      const dst = await workspace(`kb-dst-${format.toLowerCase()}`);
      const imp = await importFile(dst.operator, format, first);
      assert.equal(imp.status, 'completed');
      assert.deepEqual([imp.created, imp.errorCount], [4, 0], JSON.stringify(imp.errors));
      assert.equal(await exportAll(dst.operator, format), first, `${format} round trip`);
      // Importing the same file again changes nothing.
      const again = await importFile(dst.operator, format, first);
      assert.deepEqual([again.created, again.updated, again.skipped], [0, 0, 4]);
    }
    const csv = await exportAll(src.operator, 'CSV');
    assert.ok(csv.startsWith('\uFEFFcategory,question,variants,answer,visibility,'));
    assert.ok(csv.includes('积分\\|抵现|points'));
  });

  void test('agent assist ranks the matching entry first (internal and public, enabled only); no access for visitors or other workspaces', async () => {
    const w = await workspace('kb-assist');
    ok(await createEntry(w.operator, { q: '如何退货', v: ['我想退货', '退货流程'], a: '订单页申请退货。' }));
    const invoice = ok(await createEntry(w.operator, { q: '发票怎么开', v: ['开发票', '开具增值税发票', 'invoice'], a: '在订单详情申请电子发票。', vis: 'internal' })).createKnowledgeEntry;
    const shipping = ok(await createEntry(w.operator, { q: 'How long does shipping take?', v: ['delivery time'], a: '3-5 working days.' })).createKnowledgeEntry;
    ok(await createEntry(w.operator, { q: '发票抬头怎么改（停用）', v: ['修改发票'], a: 'old', e: false }));
    const channel = ok(await th.gql('mutation { createChannel(kind: "web-widget", name: "site") { publicKey } }', {}, w.admin)).createChannel;
    const visitor = ok(await th.gql('mutation($k: String!) { startVisitorSession(channelKey: $k) { token } }', { k: channel.publicKey })).startVisitorSession.token;
    const conv = ok(await th.gql('mutation { startConversation { id } }', {}, visitor)).startConversation;
    ok(await th.gql('mutation($c: ID!) { sendMessage(conversationId: $c, type: "text", body: { text: "你好，我想开发票，怎么弄？" }, clientMessageId: "c-assist-0001") { seq } }', { c: conv.id }, visitor));

    const q = 'query($c: ID!, $t: String) { assistSuggestions(conversationId: $c, text: $t) { entryId score question answer visibility } }';
    const fromMessage = ok(await th.gql(q, { c: conv.id }, w.agent)).assistSuggestions;
    assert.equal(fromMessage[0].entryId, invoice.id);
    assert.equal(fromMessage[0].visibility, 'internal');
    assert.equal(fromMessage[0].answer, '在订单详情申请电子发票。');
    assert.ok(fromMessage[0].score > 0.3 && fromMessage[0].score <= 1);
    assert.ok(fromMessage.length <= 5);
    assert.ok(!fromMessage.some((s: any) => s.question.includes('停用')), 'disabled entries are not suggested');
    const typed = ok(await th.gql(q, { c: conv.id, t: 'how long is the delivery' }, w.agent)).assistSuggestions;
    assert.equal(typed[0].entryId, shipping.id);
    assert.deepEqual(ok(await th.gql(q, { c: conv.id, t: '今天天气' }, w.agent)).assistSuggestions, []);
    // An edit is seen at once (no stale cache).
    ok(await th.gql('mutation($id: ID!) { updateKnowledgeEntry(id: $id, expectedVersion: 1, enabled: false) { version } }', { id: invoice.id }, w.operator));
    assert.notEqual(ok(await th.gql(q, { c: conv.id }, w.agent)).assistSuggestions[0]?.entryId, invoice.id);

    assert.equal(code(await th.gql(q, { c: conv.id }, visitor)), 'FORBIDDEN');
    assert.equal(code(await th.gql(q, { c: conv.id, t: 'invoice' }, b.agent)), 'NOT_FOUND');
  });
});

void describe('bot metrics', () => {
  void test('questions, recall, smart resolution and transfers per day and channel, from conversations run through the real lifecycle', async () => {
    const slug = `kb-metrics-${randomUUID().slice(0, 6)}`;
    const { token: admin } = await signUp(th.gql, slug);
    for (const name of ['faq-bot', 'transfer-rules']) ok(await th.gql('mutation($n: String!) { installPlugin(name: $n) { id } }', { n: name }, admin));
    ok(await createEntry(admin, { q: '如何退货？', v: ['我想退货', 'how do I return an item'], a: '登录后在订单页点击“申请退货”即可。' }));
    const web = ok(await th.gql('mutation { createChannel(kind: "web-widget", name: "web") { id publicKey } }', {}, admin)).createChannel;
    const app = ok(await th.gql('mutation { createChannel(kind: "web-widget", name: "app") { id publicKey } }', {}, admin)).createChannel;

    let n = 0;
    const conversation = async (channelKey: string) => {
      const visitor = ok(await th.gql('mutation($k: String!) { startVisitorSession(channelKey: $k) { token } }', { k: channelKey })).startVisitorSession.token as string;
      const id = ok(await th.gql('mutation { startConversation { id } }', {}, visitor)).startConversation.id as string;
      const view = async () => ok(await th.gql('query($id: ID!) { conversation(id: $id) { status messages { senderType body } } }', { id }, visitor)).conversation;
      await waitFor(async () => (await view()).status === 'bot', 'bot phase');
      return {
        id,
        /** Sends a customer message and waits for the bot's reply (or the hand-over). */
        async say(text: string, expect: 'matched' | 'unmatched' | 'queued') {
          const before = (await view()).messages.filter((m: any) => m.senderType === 'bot' && typeof m.body.matched === 'boolean').length;
          ok(await th.gql('mutation($c: ID!, $b: JSON!, $k: String!) { sendMessage(conversationId: $c, type: "text", body: $b, clientMessageId: $k) { seq } }', { c: id, b: { text }, k: `c-metrics-${++n}-${randomUUID().slice(0, 8)}` }, visitor));
          if (expect === 'queued') return void (await waitFor(async () => (await view()).status === 'queued', 'queued'));
          const reply = await waitFor(async () => (await view()).messages.filter((m: any) => m.senderType === 'bot' && typeof m.body.matched === 'boolean')[before], `bot reply to ${text}`);
          assert.equal(reply.body.matched, expect === 'matched', `${text}: ${JSON.stringify(reply.body)}`);
        },
        async close() {
          ok(await th.gql('mutation($c: ID!) { closeConversation(conversationId: $c) { id } }', { c: id }, visitor));
          await waitFor(async () => (await view()).status === 'ended', 'ended');
        },
      };
    };

    const from = new Date(Date.now() - 60_000);
    // web: answered + unmatched, then the customer leaves (bot-only, resolved).
    const c1 = await conversation(web.publicKey);
    await c1.say('我想退货怎么办', 'matched');
    await c1.say('今天天气怎么样', 'unmatched');
    await c1.close();
    // web: answered, then 转人工 (transferred).
    const c2 = await conversation(web.publicKey);
    await c2.say('how do I return an item', 'matched');
    await c2.say('转人工', 'queued');
    // app: unmatched, then 转人工.
    const c3 = await conversation(app.publicKey);
    await c3.say('你们几点下班', 'unmatched');
    await c3.say('我要转人工', 'queued');
    // app: greeted by the bot, says nothing, leaves.
    const c4 = await conversation(app.publicKey);
    await c4.close();
    const to = new Date(Date.now() + 60_000);

    const fields = 'asked answered unmatched recall botConversations transferred resolvedByBot transferRate resolutionRate';
    const q = `query($f: DateTime!, $t: DateTime!, $c: ID) { botMetrics(from: $f, to: $t, channelId: $c) { timezone days { day channelId ${fields} } total { ${fields} } } }`;
    const m = ok(await th.gql(q, { f: from.toISOString(), t: to.toISOString() }, admin)).botMetrics;
    assert.equal(m.timezone, 'Asia/Shanghai');
    assert.deepEqual(m.total, {
      asked: 4, answered: 2, unmatched: 2, recall: 0.5, botConversations: 4, transferred: 2, resolvedByBot: 2, transferRate: 0.5, resolutionRate: 0.5,
    });
    const sum = (ch: string, k: string) => m.days.filter((d: any) => d.channelId === ch).reduce((s: number, d: any) => s + d[k], 0);
    assert.deepEqual([sum(web.id, 'asked'), sum(web.id, 'answered'), sum(web.id, 'botConversations'), sum(web.id, 'transferred'), sum(web.id, 'resolvedByBot')], [3, 2, 2, 1, 1]);
    assert.deepEqual([sum(app.id, 'asked'), sum(app.id, 'answered'), sum(app.id, 'botConversations'), sum(app.id, 'transferred'), sum(app.id, 'resolvedByBot')], [1, 0, 2, 1, 1]);
    const today = localDate(Date.now(), 'Asia/Shanghai');
    const webToday = m.days.find((d: any) => d.channelId === web.id && d.day === today) ?? m.days.find((d: any) => d.channelId === web.id && d.asked > 0);
    assert.equal(webToday.recall, 0.6667);

    const appOnly = ok(await th.gql(q, { f: from.toISOString(), t: to.toISOString(), c: app.id }, admin)).botMetrics;
    assert.ok(appOnly.days.every((d: any) => d.channelId === app.id));
    assert.deepEqual([appOnly.total.asked, appOnly.total.unmatched, appOnly.total.recall, appOnly.total.transferRate], [1, 1, 0, 0.5]);
    // A range before any of it: zeros, null rates.
    const empty = ok(await th.gql(q, { f: new Date(Date.now() - 86_400_000 * 3).toISOString(), t: new Date(Date.now() - 86_400_000 * 2).toISOString() }, admin)).botMetrics;
    assert.deepEqual([empty.total.asked, empty.total.recall], [0, null]);
    assert.equal(code(await th.gql(q, { f: to.toISOString(), t: from.toISOString() }, admin)), 'BAD_USER_INPUT');

    // Agents do not read statistics.
    ok(await th.gql(`mutation { createUser(email: "ag@${slug}.test", name: "ag", password: "a long password 1", roles: [agent]) { id } }`, {}, admin));
    const agent = ok(await th.gql(`mutation { login(workspace: "${slug}", email: "ag@${slug}.test", password: "a long password 1") { token } }`)).login.token;
    assert.equal(code(await th.gql(q, { f: from.toISOString(), t: to.toISOString() }, agent)), 'FORBIDDEN');
  });
});

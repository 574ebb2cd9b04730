/**
 * Developer tool: writes a new core migration holding the SQL that brings a database migrated with
 * the existing migrations up to the current entity definitions. Uses a scratch database.
 *   npm run migration:create -- <Name>
 */
import { writeFileSync, readFileSync } from 'node:fs';
import { loadConfig } from '../config.ts';
import { ensureDatabase, initOrm, migrateUp } from '../db/orm.ts';

const name = process.argv[2];
if (!name || !/^[A-Z][A-Za-z0-9]+$/.test(name)) {
  console.error('usage: make-migration <PascalCaseName>');
  process.exit(2);
}
const config = loadConfig();
const url = new URL(config.KEFU_DB_URL);
url.pathname = `/kefu_migration_scratch_${process.pid}`;
await ensureDatabase(url.toString());
const orm = await initOrm({ dbUrl: url.toString() });
try {
  await migrateUp(orm);
  const sql = await orm.schema.getUpdateSchemaSQL({ wrap: false });
  const statements = sql.split(/;\n/).map((s) => s.trim()).filter((s) => s && !s.startsWith('set '));
  if (statements.length === 0) {
    console.log('entities match the migrations; nothing to write');
  } else {
    const stamp = new Date().toISOString().slice(0, 10).replace(/-/g, '');
    const cls = `Migration${stamp}${name}`;
    const body = statements.map((s) => `    this.addSql(${JSON.stringify(s)});`).join('\n');
    const dir = new URL('../db/migrations/', import.meta.url);
    writeFileSync(new URL(`${cls}.ts`, dir), `import { Migration } from '@mikro-orm/migrations';\n\nexport class ${cls} extends Migration {\n  override name = '${cls}';\n  override up(): void {\n${body}\n  }\n}\n`);
    const index = readFileSync(new URL('index.ts', dir), 'utf8')
      .replace(/(\nexport const coreMigrations = \[)(.*)(\];)/, (_m, a: string, list: string, c: string) => `\nimport { ${cls} } from './${cls}.ts';${a}${list ? `${list}, ` : ''}${cls}${c}`);
    writeFileSync(new URL('index.ts', dir), index);
    console.log(`wrote ${cls} with ${statements.length} statements`);
  }
} finally {
  await orm.em.getConnection().execute(`drop database if exists \`${url.pathname.slice(1)}\``).catch(() => undefined);
  await orm.close(true);
}

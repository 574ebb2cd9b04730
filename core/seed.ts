import { randomBytes } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/mysql';
import { AgentProfile, AgentSkill, Channel, PluginInstallation, SkillGroup, User, Workspace } from './db/entities/index.ts';
import { NO_TENANT_FILTER, systemEm } from './db/orm.ts';
import { hashPassword } from './auth/secrets.ts';
import { recordAudit } from './events/outbox.ts';

export interface DemoSeed { workspaceSlug: string; adminEmail: string; adminPassword: string; widgetChannelKey: string; created: boolean }

/**
 * Idempotently creates the demo workspace: an admin, an agent, a skill group, a web-widget channel
 * and the example plugin installed. Existing data is left as it is.
 */
export async function seedDemo(orm: MikroORM, opts: { adminEmail: string; adminPassword: string }): Promise<DemoSeed> {
  const slug = 'demo';
  const em = systemEm(orm);
  const existing = await em.findOne(Workspace, { slug });
  if (existing) {
    const ch = await em.findOne(Channel, { workspaceId: existing.id, kind: 'web-widget' }, NO_TENANT_FILTER);
    return { workspaceSlug: slug, adminEmail: opts.adminEmail, adminPassword: opts.adminPassword, widgetChannelKey: ch?.publicKey ?? '', created: false };
  }
  const adminHash = await hashPassword(opts.adminPassword);
  const agentHash = await hashPassword(opts.adminPassword);
  let widgetChannelKey = '';
  await em.transactional(async (tx) => {
    const ws = tx.create(Workspace, { name: 'Demo 演示', slug });
    tx.setFilterParams('workspace', { id: ws.id });
    const admin = tx.create(User, { workspaceId: ws.id, email: opts.adminEmail, name: 'Demo Admin', passwordHash: adminHash, roles: ['admin'], tokenVersion: 1, disabled: false });
    tx.create(AgentProfile, { workspaceId: ws.id, userId: admin.id, status: 'offline', maxConcurrentChats: 5 });
    const agent = tx.create(User, { workspaceId: ws.id, email: 'agent@demo.kefu.local', name: '小王 (Agent)', passwordHash: agentHash, roles: ['agent'], tokenVersion: 1, disabled: false });
    const profile = tx.create(AgentProfile, { workspaceId: ws.id, userId: agent.id, status: 'offline', maxConcurrentChats: 3 });
    // Routing demo: after-sales overflows to pre-sales after 2 minutes; VIPs and returning customers first.
    const group = tx.create(SkillGroup, {
      workspaceId: ws.id, name: '售前咨询 Pre-sales',
      routing: {
        strategy: { name: 'returning_customer', config: { fallbackAfterSec: 60 } },
        priorityRules: [{ rule: 'customer_tag', weight: 60, config: { tags: { VIP: 10 } } }, { rule: 'reentry_today', weight: 30, config: {} }],
      },
    });
    const afterSales = tx.create(SkillGroup, {
      workspaceId: ws.id, name: '售后服务 After-sales',
      routing: { strategy: { name: 'capability', config: {} }, overflow: { afterSec: 120, toSkillGroupId: group.id } },
    });
    tx.create(AgentSkill, { workspaceId: ws.id, agentProfileId: profile.id, skillGroupId: group.id, level: 3 });
    tx.create(AgentSkill, { workspaceId: ws.id, agentProfileId: profile.id, skillGroupId: afterSales.id, level: 2 });
    tx.create(PluginInstallation, { workspaceId: ws.id, pluginName: 'routing-rules', enabled: true, config: {} });
    widgetChannelKey = `ch_${randomBytes(15).toString('base64url')}`;
    tx.create(Channel, { workspaceId: ws.id, kind: 'web-widget', name: '官网 Website', publicKey: widgetChannelKey, config: { skillGroupId: group.id }, enabled: true });
    tx.create(PluginInstallation, { workspaceId: ws.id, pluginName: 'example', enabled: true, config: {} });
    recordAudit(tx, ws.id, { actorType: 'system', actorId: null }, 'workspace.seed', { type: 'Workspace', id: ws.id });
  });
  return { workspaceSlug: slug, adminEmail: opts.adminEmail, adminPassword: opts.adminPassword, widgetChannelKey, created: true };
}

import type { MikroORM } from '@mikro-orm/mysql';
import { AgentProfile, AgentSkill, AgentStatusLog } from '../db/entities/index.ts';
import { workspaceEm } from '../db/orm.ts';
import type { RoutingService } from './routing.ts';

/**
 * Pushes one agent's status, capacity and skill groups (with levels) from the database to routing, and
 * appends to the agent status history (the routing simulator's input) when any of them changed.
 */
export async function syncAgentToRouting(orm: MikroORM, routing: RoutingService, workspaceId: string, userId: string): Promise<void> {
  const em = workspaceEm(orm, workspaceId);
  const profile = await em.findOne(AgentProfile, { userId });
  if (!profile) return;
  const skills = await em.find(AgentSkill, { agentProfileId: profile.id }, { orderBy: { skillGroupId: 'asc' } });
  await routing.setAgentState({
    workspaceId, agentId: userId, status: profile.status, capacity: profile.maxConcurrentChats,
    skillGroupIds: skills.map((s) => s.skillGroupId),
    levels: Object.fromEntries(skills.map((s) => [s.skillGroupId, s.level])),
  });
  const snapshot = skills.map((s) => ({ skillGroupId: s.skillGroupId, level: s.level }));
  const last = await em.findOne(AgentStatusLog, { agentId: userId }, { orderBy: { at: 'desc' } });
  if (!last || last.status !== profile.status || last.capacity !== profile.maxConcurrentChats || JSON.stringify(last.skills) !== JSON.stringify(snapshot)) {
    em.create(AgentStatusLog, { workspaceId, agentId: userId, status: profile.status, capacity: profile.maxConcurrentChats, skills: snapshot, at: new Date() });
    await em.flush();
  }
}

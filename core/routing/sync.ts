import type { MikroORM } from '@mikro-orm/mysql';
import { AgentProfile, AgentSkill } from '../db/entities/index.ts';
import { workspaceEm } from '../db/orm.ts';
import type { RoutingService } from './routing.ts';

/** Pushes one agent's status, capacity and skill groups from the database to routing. */
export async function syncAgentToRouting(orm: MikroORM, routing: RoutingService, workspaceId: string, userId: string): Promise<void> {
  const em = workspaceEm(orm, workspaceId);
  const profile = await em.findOne(AgentProfile, { userId });
  if (!profile) return;
  const skills = await em.find(AgentSkill, { agentProfileId: profile.id });
  await routing.setAgentState({
    workspaceId, agentId: userId, status: profile.status, capacity: profile.maxConcurrentChats, skillGroupIds: skills.map((s) => s.skillGroupId),
  });
}

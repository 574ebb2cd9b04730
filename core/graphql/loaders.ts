import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/mysql';
import { AgentProfile, AgentSkill, Department, SkillGroup, User } from '../db/entities/index.ts';

/** Per-request batch loaders; each runs one workspace-filtered query per tick. */
function byId<T extends { id: string }>(em: EntityManager, entity: new (...a: any[]) => T) {
  return new DataLoader<string, T | null>(async (ids) => {
    const rows = (await em.find(entity as any, { id: { $in: [...ids] } } as any)) as T[];
    const map = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => map.get(id) ?? null);
  });
}

function groupBy<T>(em: EntityManager, entity: new (...a: any[]) => T, key: keyof T & string) {
  return new DataLoader<string, T[]>(async (keys) => {
    const rows = (await em.find(entity as any, { [key]: { $in: [...keys] } })) as T[];
    const map = new Map<string, T[]>();
    for (const r of rows) {
      const k = r[key] as unknown as string;
      map.set(k, [...(map.get(k) ?? []), r]);
    }
    return keys.map((k) => map.get(k) ?? []);
  });
}

export function createLoaders(em: EntityManager) {
  return {
    user: byId(em, User),
    department: byId(em, Department),
    skillGroup: byId(em, SkillGroup),
    agentProfileByUser: new DataLoader<string, AgentProfile | null>(async (userIds) => {
      const rows = await em.find(AgentProfile, { userId: { $in: [...userIds] } });
      const map = new Map(rows.map((r) => [r.userId, r]));
      return userIds.map((id) => map.get(id) ?? null);
    }),
    skillsByAgent: groupBy(em, AgentSkill, 'agentProfileId'),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;

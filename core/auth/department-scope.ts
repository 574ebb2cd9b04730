/**
 * Department scoping: which department-bound rows a principal may see. Every resolver that lists or
 * loads such rows asks this one module, so the rule lives in one place.
 *
 * A supervisor's departments are their own department and every department below it (the
 * `Department.parentId` tree). A user holding `supervisor` but not `admin` sees:
 * - departments: their departments;
 * - skill groups: the groups of their departments;
 * - users and agent profiles: the members of their departments, and themselves;
 * - conversations: those of their departments — a conversation belongs to the department of its skill
 *   group, or, when it has no group, to the department of its assignee — and always the ones
 *   assigned to themselves;
 * - offline messages: those of the conversations they see, and those assigned to a member;
 * - statistics: figures over the conversations they see.
 * A supervisor without a department sees none of that beyond themselves and their own conversations;
 * rows that belong to no department (a conversation neither routed to a group nor assigned) are for
 * admins. Admins, API keys and the other roles keep the whole workspace (agents work the workspace
 * queue as before). Rows outside the scope are NOT_FOUND, exactly like rows of another workspace.
 */
import type { EntityManager, FilterQuery } from '@mikro-orm/mysql';
import type { Principal } from '@kefu-hub/plugin-sdk';
import { AgentProfile, AgentSkill, Conversation, Department, OfflineMessage, SkillGroup, User } from '../db/entities/index.ts';

type ConversationKey = Pick<Conversation, 'skillGroupId' | 'assigneeId'>;

export class DepartmentScope {
  /** False: the whole workspace. */
  readonly limited: boolean;
  /** The supervisor (always sees themselves and the conversations assigned to them). */
  readonly selfId: string | null;
  readonly departmentIds: ReadonlySet<string>;
  readonly skillGroupIds: ReadonlySet<string>;
  /** Members of the departments, and the supervisor. */
  readonly userIds: ReadonlySet<string>;

  constructor(init: { limited: boolean; selfId?: string | null; departmentIds?: Iterable<string>; skillGroupIds?: Iterable<string>; userIds?: Iterable<string> }) {
    this.limited = init.limited;
    this.selfId = init.selfId ?? null;
    this.departmentIds = new Set(init.departmentIds ?? []);
    this.skillGroupIds = new Set(init.skillGroupIds ?? []);
    this.userIds = new Set([...(init.userIds ?? []), ...(this.selfId ? [this.selfId] : [])]);
  }

  static readonly ALL = new DepartmentScope({ limited: false });

  // ------------------------------------------------------------ filters for em.find (an empty $in matches nothing)

  departments(): FilterQuery<Department> {
    return this.limited ? { id: { $in: [...this.departmentIds] } } : {};
  }

  skillGroups(): FilterQuery<SkillGroup> {
    return this.limited ? { id: { $in: [...this.skillGroupIds] } } : {};
  }

  users(): FilterQuery<User> {
    return this.limited ? { id: { $in: [...this.userIds] } } : {};
  }

  agentProfiles(): FilterQuery<AgentProfile> {
    return this.limited ? { userId: { $in: [...this.userIds] } } : {};
  }

  conversations(): FilterQuery<Conversation> {
    if (!this.limited) return {};
    return {
      $or: [
        { skillGroupId: { $in: [...this.skillGroupIds] } },
        { skillGroupId: null, assigneeId: { $in: [...this.userIds] } },
        { assigneeId: this.selfId },
      ],
    };
  }

  /** Offline messages of visible conversations (a subquery), or assigned to a member. */
  offlineMessages(em: EntityManager, workspaceId: string): FilterQuery<OfflineMessage> {
    if (!this.limited) return {};
    // Query builders skip the tenant filter: the workspace is stated explicitly.
    const visible = em.createQueryBuilder(Conversation, 'sc').select('sc.id').where({ $and: [{ workspaceId }, this.conversations()] } as any);
    return { $or: [{ assigneeId: { $in: [...this.userIds] } }, { conversationId: { $in: visible } }] };
  }

  /** Agent skills (group memberships) of visible agents. */
  agentSkills(em: EntityManager, workspaceId: string): FilterQuery<AgentSkill> {
    if (!this.limited) return {};
    const visible = em.createQueryBuilder(AgentProfile, 'sp').select('sp.id').where({ $and: [{ workspaceId }, this.agentProfiles()] } as any);
    return { agentProfileId: { $in: visible } };
  }

  /** The conversation condition as SQL over `alias` (for hand-written statistics queries). */
  conversationSql(alias: string): { sql: string; params: string[] } {
    if (!this.limited) return { sql: '1 = 1', params: [] };
    const list = (ids: ReadonlySet<string>) => (ids.size ? [...ids].map(() => '?').join(', ') : null);
    const groups = list(this.skillGroupIds);
    const users = list(this.userIds);
    const parts: string[] = [];
    const params: string[] = [];
    if (groups) { parts.push(`${alias}.skill_group_id in (${groups})`); params.push(...this.skillGroupIds); }
    if (users) { parts.push(`(${alias}.skill_group_id is null and ${alias}.assignee_id in (${users}))`); params.push(...this.userIds); }
    if (this.selfId) { parts.push(`${alias}.assignee_id = ?`); params.push(this.selfId); }
    return { sql: parts.length ? `(${parts.join(' or ')})` : '1 = 0', params };
  }

  // ------------------------------------------------------------ checks on loaded rows

  seesDepartment(id: string | null | undefined): boolean {
    return !this.limited || (!!id && this.departmentIds.has(id));
  }

  seesSkillGroup(id: string | null | undefined): boolean {
    return !this.limited || (!!id && this.skillGroupIds.has(id));
  }

  seesUser(id: string | null | undefined): boolean {
    return !this.limited || (!!id && this.userIds.has(id));
  }

  seesConversation(c: ConversationKey): boolean {
    if (!this.limited) return true;
    if (c.assigneeId && c.assigneeId === this.selfId) return true;
    return c.skillGroupId ? this.skillGroupIds.has(c.skillGroupId) : !!c.assigneeId && this.userIds.has(c.assigneeId);
  }

  seesOfflineMessage(o: Pick<OfflineMessage, 'assigneeId'>, conversation: ConversationKey | null): boolean {
    return !this.limited || this.seesUser(o.assigneeId) || (!!conversation && this.seesConversation(conversation));
  }
}

/** Whether the principal's reads are limited to departments (a supervisor who is not an admin). */
export function isDepartmentScoped(principal: Principal): principal is Extract<Principal, { kind: 'user' }> {
  return principal.kind === 'user' && principal.roles.includes('supervisor') && !principal.roles.includes('admin');
}

/** A department and everything below it in the tree (cycles in bad data end the walk). */
export function subtreeOf(rootId: string, departments: { id: string; parentId?: string | null }[]): Set<string> {
  const children = new Map<string, string[]>();
  for (const d of departments) if (d.parentId) children.set(d.parentId, [...(children.get(d.parentId) ?? []), d.id]);
  const out = new Set<string>();
  const todo = departments.some((d) => d.id === rootId) ? [rootId] : [];
  while (todo.length) {
    const id = todo.pop()!;
    if (out.has(id)) continue;
    out.add(id);
    todo.push(...(children.get(id) ?? []));
  }
  return out;
}

/** Reads the principal's scope; `em` must be bound to the principal's workspace. */
export async function loadDepartmentScope(em: EntityManager, principal: Principal): Promise<DepartmentScope> {
  if (!isDepartmentScoped(principal)) return DepartmentScope.ALL;
  // Whole rows, not partial ones: these entities land in the request's identity map, which the
  // resolvers' own loads share.
  const me = await em.findOne(User, { id: principal.userId });
  if (!me?.departmentId) return new DepartmentScope({ limited: true, selfId: principal.userId });
  const departmentIds = [...subtreeOf(me.departmentId, await em.find(Department, {}))];
  const groups = departmentIds.length ? await em.find(SkillGroup, { departmentId: { $in: departmentIds } }) : [];
  const members = departmentIds.length ? await em.find(User, { departmentId: { $in: departmentIds } }) : [];
  return new DepartmentScope({ limited: true, selfId: principal.userId, departmentIds, skillGroupIds: groups.map((g) => g.id), userIds: members.map((u) => u.id) });
}

// One scope per request (per subscription over graphql-ws): keyed by the request's loaders object.
const perRequest = new WeakMap<object, Promise<DepartmentScope>>();

/** The caller's department scope, read once per request. */
export function departmentScopeOf(ctx: { em: EntityManager; principal: Principal; loaders: object }): Promise<DepartmentScope> {
  if (!isDepartmentScoped(ctx.principal)) return Promise.resolve(DepartmentScope.ALL);
  let scope = perRequest.get(ctx.loaders);
  if (!scope) {
    scope = loadDepartmentScope(ctx.em, ctx.principal);
    perRequest.set(ctx.loaders, scope);
  }
  return scope;
}

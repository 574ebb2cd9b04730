import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { z } from 'zod';
import { PluginInstallation, SkillGroup } from '../../db/entities/index.ts';
import { GroupRoutingPolicySchema, DEFAULT_POLICY, type GroupRoutingPolicy } from '../../routing/policy.ts';
import { RoutingSimulation, resolveGroupRouting, type ReportFilter, type RoutingContributions, type SimGroupRouting, type SimulationReport } from '../../routing/simulate.ts';
import { loadRecordedWindow, SimulationWindowError } from '../../routing/simulate-window.ts';
import { departmentScopeOf } from '../../auth/department-scope.ts';
import type { HubBuilder } from '../builder.ts';
import { workspaceOf, type HubGraphQLContext } from '../context.ts';
import { badInput, conflict, notFound } from '../errors.ts';
import { parseInput } from '../validation.ts';
import type { Refs } from '../refs.ts';

interface RoutingSimulationView { arrivals: number; agents: number; baseline: SimulationReport; proposed: SimulationReport }

/** Events per slice: the simulation yields to the event loop between slices so the node keeps serving. */
const SLICE = 5000;
/** One simulation per workspace at a time on a node: each can take seconds of CPU. */
const running = new Set<string>();

const REPORT_SHAPE = [
  'A simulation report (JSON):',
  '`arrivals`, `assigned`;',
  '`abandoned` { total, timeout (queue timeout → offline message), full (every group on the chain full on arrival), closed (out of working hours), overflowExhausted (overflowed to the offline message), left (the customer closed the chat while waiting) };',
  '`overflowed` (customers who overflowed at least once), `overflowMoves` (hops in all), `held` (customers a strategy held back at least once);',
  '`wait` { count, p50, p90, p99, max, mean } in seconds from joining the queue to assignment (assigned customers; null when none);',
  '`groups`: [{ skillGroupId (null = default queue), arrivals (started in the group), assigned, assignedHere (assigned from its queue, overflow included), abandoned {…}, overflowed, wait {…} }];',
  '`agents`: [{ agentId, chats, busySlotSec (slot-seconds held while online), onlineSec, utilisation (busySlotSec ÷ capacity × online seconds; null if never online), maxConcurrent }].',
].join(' ');

export function registerRoutingSimulation(builder: HubBuilder, _refs: Refs) {
  const Simulation = builder.objectRef<RoutingSimulationView>('RoutingSimulation').implement({
    description: 'The recorded window replayed twice: with the current routing policies (baseline) and with the proposed ones.',
    authScopes: { role: 'supervisor' },
    fields: (t) => ({
      arrivals: t.exposeInt('arrivals', { description: 'Customers who first queued in the window (a supervisor: in the groups of their departments).' }),
      agents: t.exposeInt('agents', { description: 'Agents replayed (a supervisor: the members of their departments).' }),
      baseline: t.field({ type: 'JSON', description: `The current policies. ${REPORT_SHAPE}`, resolve: (s) => s.baseline }),
      proposed: t.field({ type: 'JSON', description: 'The proposed policies (groups not named keep their current one); same shape as baseline.', resolve: (s) => s.proposed }),
    }),
  });

  builder.queryField('simulateRouting', (t) =>
    t.field({
      type: Simulation,
      authScopes: { role: 'supervisor' },
      description: [
        'Replays the customers who queued in [from, to) and the agents\' recorded status, capacity and skill groups against proposed routing policies,',
        'beside the current ones, before publishing a change. `policies` maps skill group id → proposed policy (the shape of updateSkillGroupRouting);',
        'each is validated as updateSkillGroupRouting does, and any problem is BAD_USER_INPUT with `issues` (paths start with the group id), nothing run.',
        'At most 7 days and 50,000 customers (BAD_USER_INPUT beyond); one simulation per workspace at a time (CONFLICT).',
        'A supervisor names groups of their departments only, and sees figures for those groups and their members.',
        'Model: recorded handle times and patience (queue timeout), decisions by the live routing code; see core/routing/simulate.ts.',
      ].join(' '),
      args: {
        from: t.arg({ type: 'DateTime', required: true }),
        to: t.arg({ type: 'DateTime', required: true }),
        policies: t.arg({ type: 'JSON', required: true }),
      },
      resolve: async (_r, args, ctx) => {
        const ws = workspaceOf(ctx);
        const from = args.from;
        const to = args.to;
        const proposedInput = parseInput(z.record(z.string().min(1).max(36), z.unknown()).refine((p) => Object.keys(p).length <= 200, 'at most 200 groups'), args.policies);
        const scope = await departmentScopeOf(ctx);
        const groups = await ctx.em.find(SkillGroup, {}, { orderBy: { id: 'asc' } });
        const known = new Set(groups.map((g) => g.id));
        for (const id of Object.keys(proposedInput)) if (!known.has(id) || !scope.seesSkillGroup(id)) throw notFound('SkillGroup', id);

        const issues: { path: string; message: string }[] = [];
        const proposed = new Map<string, GroupRoutingPolicy>();
        for (const [id, p] of Object.entries(proposedInput)) {
          const checked = await ctx.hub.router.validatePolicy(ws, id, p);
          if (checked.ok) proposed.set(id, checked.policy);
          else for (const i of checked.issues) issues.push({ path: [id, i.path].filter(Boolean).join('.'), message: i.message });
        }
        const current = new Map(groups.map((g) => {
          const p = GroupRoutingPolicySchema.safeParse(g.routing ?? {});
          return [g.id, p.success ? p.data : DEFAULT_POLICY] as const;
        }));
        // Each change is checked against the stored chain; together they must not loop either.
        if (!issues.length) {
          const loop = chainLoop(new Map([...current, ...proposed]), [...proposed.keys()]);
          if (loop) issues.push({ path: `${loop}.overflow.toSkillGroupId`, message: 'together, the proposed overflow chains loop back to a group already on them' });
        }
        if (issues.length) throw badInput(`invalid routing policy: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, { issues });

        if (running.has(ws)) throw conflict('a routing simulation is already running for this workspace; try again when it has finished');
        running.add(ws);
        try {
          const window = await loadRecordedWindow(ctx.hub.orm, ws, from, to).catch((err: unknown) => {
            if (err instanceof SimulationWindowError) throw badInput(err.message, { issues: [{ path: err.path, message: err.message }] });
            throw err;
          });
          const contributions = await contributionsOf(ctx);
          const resolve = (policies: Map<string, GroupRoutingPolicy>): Record<string, SimGroupRouting> =>
            Object.fromEntries([...policies].map(([id, p]) => [id, resolveGroupRouting(p, contributions)]));
          const filter: ReportFilter = scope.limited ? { group: (g) => scope.seesSkillGroup(g), agent: (id) => scope.seesUser(id) } : {};
          const baseline = await runSliced(new RoutingSimulation({ ...window, groups: resolve(current) }), filter);
          const proposedReport = await runSliced(new RoutingSimulation({ ...window, groups: resolve(new Map([...current, ...proposed])) }), filter);
          return { arrivals: baseline.arrivals, agents: baseline.agents.length, baseline, proposed: proposedReport };
        } finally {
          running.delete(ws);
        }
      },
    }),
  );
}

async function runSliced(sim: RoutingSimulation, filter: ReportFilter): Promise<SimulationReport> {
  while (!sim.step(SLICE)) await yieldToLoop();
  return sim.report(filter);
}

/** Strategies and priority rules of the plugins enabled in the workspace (what the engine would use). */
async function contributionsOf(ctx: HubGraphQLContext): Promise<RoutingContributions> {
  const installed = new Set((await ctx.em.find(PluginInstallation, { enabled: true }, { fields: ['pluginName'] })).map((r) => r.pluginName));
  const registry = ctx.hub.registry;
  return {
    strategy: (name) => {
      const found = registry.strategy(name);
      return found && installed.has(found.plugin) ? found.strategy : undefined;
    },
    priorityRule: (name) => {
      const found = registry.priorityRule(name);
      return found && installed.has(found.plugin) ? found.rule : undefined;
    },
  };
}

/** The first of `starts` whose overflow chain (under `policies`) comes back to a group already on it. */
function chainLoop(policies: Map<string, GroupRoutingPolicy>, starts: string[]): string | null {
  for (const start of starts) {
    const seen = new Set<string>([start]);
    let next = policies.get(start)?.overflow?.toSkillGroupId ?? null;
    for (let hop = 0; next && hop < 50; hop++) {
      if (seen.has(next)) return start;
      seen.add(next);
      next = policies.get(next)?.overflow?.toSkillGroupId ?? null;
    }
  }
  return null;
}

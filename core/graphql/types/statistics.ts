import { Workspace } from '../../db/entities/index.ts';
import { BOT_METRICS_MAX_DAYS, botMetrics, rate, type BotMetricsCounts, type BotMetricsResult, type BotMetricsRow } from '../../stats/bot-metrics.ts';
import { can, type HubBuilder } from '../builder.ts';
import { workspaceOf } from '../context.ts';
import { badInput } from '../errors.ts';
import type { Refs } from '../refs.ts';
import { departmentScopeOf } from '../../auth/department-scope.ts';

/** Statistics (F21). Bot figures: core/stats/bot-metrics.ts defines each count. */
export function registerStatistics(builder: HubBuilder, _refs: Refs) {
  const countFields = <T extends BotMetricsCounts>(t: any) => ({
    asked: t.exposeInt('asked', { description: 'Customer questions the bot replied to.' }),
    answered: t.exposeInt('answered', { description: 'Questions the bot answered (matched).' }),
    unmatched: t.exposeInt('unmatched', { description: 'Questions the bot could not answer (suggestions or fallback).' }),
    suggested: t.exposeInt('suggested', { description: 'Unmatched questions that got "did you mean" suggestions.' }),
    recall: t.float({ nullable: true, description: 'answered / asked (null without questions).', resolve: (r: T) => rate(r.answered, r.asked) }),
    botConversations: t.exposeInt('botConversations', { description: 'Conversations with a bot phase (counted on the day they started).' }),
    transferred: t.exposeInt('transferred', { description: 'Bot conversations handed to a human (a transfer rule fired or they were queued).' }),
    resolvedByBot: t.exposeInt('resolvedByBot', { description: 'Bot conversations that ended without a transfer (smart resolution).' }),
    transferRate: t.float({ nullable: true, description: 'transferred / botConversations.', resolve: (r: T) => rate(r.transferred, r.botConversations) }),
    resolutionRate: t.float({ nullable: true, description: 'resolvedByBot / botConversations.', resolve: (r: T) => rate(r.resolvedByBot, r.botConversations) }),
  });

  const TotalsRef = builder.objectRef<BotMetricsCounts>('BotMetricsTotals').implement({ fields: (t) => countFields<BotMetricsCounts>(t) });
  const DayRef = builder.objectRef<BotMetricsRow>('BotMetricsDay').implement({
    fields: (t) => ({
      day: t.exposeString('day', { description: "Calendar day (YYYY-MM-DD) in the workspace's time zone." }),
      channelId: t.exposeID('channelId'),
      ...countFields<BotMetricsRow>(t),
    }),
  });
  const MetricsRef = builder.objectRef<BotMetricsResult>('BotMetrics').implement({
    fields: (t) => ({
      timezone: t.exposeString('timezone'),
      from: t.expose('from', { type: 'DateTime' }),
      to: t.expose('to', { type: 'DateTime' }),
      days: t.field({ type: [DayRef], description: 'One row per day and channel (zero-filled for channels active in the range).', resolve: (m) => m.rows }),
      total: t.field({ type: TotalsRef, resolve: (m) => m.total }),
    }),
  });

  builder.queryField('botMetrics', (t) =>
    t.field({
      type: MetricsRef,
      authScopes: can.statsRead,
      description: "Bot metrics per day (workspace time zone) and channel over [from, to): questions, recall, smart-resolution and transfer rates. A supervisor's count only their departments' conversations.",
      args: { from: t.arg({ type: 'DateTime' }), to: t.arg({ type: 'DateTime' }), channelId: t.arg.id({ required: false }) },
      resolve: async (_r, args, ctx) => {
        if (!(args.to > args.from)) throw badInput('`to` must be after `from`', { issues: [{ path: 'to', message: 'must be after from' }] });
        if (args.to.getTime() - args.from.getTime() > BOT_METRICS_MAX_DAYS * 86_400_000) throw badInput(`at most ${BOT_METRICS_MAX_DAYS} days at once`);
        const wsId = workspaceOf(ctx);
        const ws = await ctx.em.findOne(Workspace, { id: wsId });
        const scope = await departmentScopeOf(ctx);
        return botMetrics(ctx.em, wsId, {
          from: args.from, to: args.to, channelId: args.channelId ? String(args.channelId) : null, timeZone: ws?.timezone ?? 'UTC',
          conversationScope: scope.limited ? scope.conversationSql('c') : undefined,
        });
      },
    }),
  );
}

import { createHmac } from 'node:crypto';
import { z } from 'zod';
import type { Principal } from '@kefu-hub/plugin-sdk';
import { Channel, Customer, CustomerIdentity, FlowVersion, VisitorSession } from '../../db/entities/index.ts';
import { NO_TENANT_FILTER, systemEm } from '../../db/orm.ts';
import { SelfServiceNodeConfig } from '../../flows/registry.ts';
import type { FlowDefinition } from '../../flows/types.ts';
import {
  SelfServiceSettings, selfServiceView, type PageMatcher, type SelfServiceBubble, type SelfServiceCard, type SelfServiceCategory,
  type SelfServiceGuess, type SelfServiceView,
} from '../../knowledge/self-service.ts';
import { limitRate, type HubGraphQLContext } from '../context.ts';
import { newVisitorToken, safeEqualHex } from '../../auth/secrets.ts';
import { recordEvent } from '../../events/outbox.ts';
import { can, type HubBuilder } from '../builder.ts';
import { badInput, notFound, unauthenticated } from '../errors.ts';
import { parseInput } from '../validation.ts';
import type { Refs } from '../refs.ts';
import { conversationFor } from './conversation.ts';

const VISITOR_TTL_MS = 30 * 24 * 3600 * 1000;
/** A signed identity is accepted for this long after its `ts` (and up to 5 minutes of clock skew ahead). */
export const IDENTITY_MAX_AGE_SEC = 24 * 3600;
const IDENTITY_MAX_SKEW_SEC = 300;

const IdentityInput = z.object({
  externalId: z.string().min(1).max(128).regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces'),
  name: z.string().trim().min(1).max(120).nullish(),
  email: z.email().max(254).nullish(),
  ts: z.number().int('ts is whole Unix seconds').positive(),
  sig: z.string().regex(/^[0-9a-fA-F]{64}$/, 'hex HMAC-SHA256'),
});
const StartInput = z.object({
  channelKey: z.string().regex(/^ch_[A-Za-z0-9_-]{20}$/, 'not a channel key'),
  visitorId: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/).nullish(),
  displayName: z.string().trim().min(1).max(120).nullish(),
  identity: IdentityInput.nullish(),
});
type Identity = z.output<typeof IdentityInput>;

/** Channel settings the widget may see: an allow-list, so secrets in the channel config never leave the server. */
const PUBLIC_WIDGET_SETTINGS = ['title', 'subtitle', 'accentColor'] as const;
function publicSettings(config: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(PUBLIC_WIDGET_SETTINGS.filter((k) => typeof config[k] === 'string').map((k) => [k, config[k]]));
}

/** The signature an identified visitor must carry: hex HMAC-SHA256 with the channel's secret over `<externalId>:<ts>`. */
export function identitySignature(secret: string, externalId: string, ts: number): string {
  return createHmac('sha256', secret).update(`${externalId}:${ts}`).digest('hex');
}

/** Verifies a signed identity against the channel's `config.identitySecret`; throws a typed error when it fails. */
function verifyIdentity(channel: Channel, identity: Identity): void {
  const secret = channel.config.identitySecret;
  if (typeof secret !== 'string' || !secret) throw badInput('this channel does not accept identified visitors: set config.identitySecret on the channel');
  const now = Math.floor(Date.now() / 1000);
  if (!safeEqualHex(identitySignature(secret, identity.externalId, identity.ts), identity.sig.toLowerCase())) {
    throw unauthenticated('identity signature does not match (HMAC-SHA256 of "<externalId>:<ts>" with the channel identity secret)');
  }
  if (identity.ts < now - IDENTITY_MAX_AGE_SEC) throw unauthenticated('identity signature expired: ts is older than 24 hours, sign it again');
  if (identity.ts > now + IDENTITY_MAX_SKEW_SEC) throw unauthenticated('identity signature is from the future: ts is Unix seconds');
}

const SelfServiceArgs = z.object({
  channelKey: z.string().regex(/^ch_[A-Za-z0-9_-]{20}$/, 'not a channel key').nullish(),
  pageUrl: z.string().max(2000).nullish(),
  pageTitle: z.string().max(300).nullish(),
  conversationId: z.string().max(64).nullish(),
  nodeId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'not a node id').nullish(),
});

/**
 * The FAQ bot's page matcher (`plugin.faq-bot.related`: the bot's own segmentation, synonyms and
 * BM25), called as the page's visitor; null when the bot is not installed or fails (core's overlap is used).
 */
function botPageMatcher(ctx: HubGraphQLContext, principal: Principal, workspaceId: string): PageMatcher {
  return async (text) => {
    try {
      const r = await ctx.hub.broker.call<{ hits: { entryId: string; coverage: number }[] }, Record<string, unknown>>(
        'plugin.faq-bot.related', { text, limit: 20, minCoverage: 0.5 }, { meta: { workspaceId, principal } },
      );
      return new Map(r.hits.map((h) => [h.entryId, h.coverage]));
    } catch {
      return null;
    }
  };
}

export function registerVisitor(builder: HubBuilder, refs: Refs) {
  const GuessRef = builder.objectRef<SelfServiceGuess>('SelfServiceGuess').implement({
    description: 'A 猜你想问 question, with why it is offered: `pinned`, `page:<pattern>`, `page-words:<coverage>`, `hot:<answers>`.',
    fields: (t) => ({
      entryId: t.exposeID('entryId', { nullable: true, description: 'The knowledge entry (null: a pinned question that is no public entry).' }),
      question: t.exposeString('question'),
      score: t.exposeFloat('score', { description: '3 × page pattern + 2 × page-words coverage + hits / most hits (pinned: 0, always first).' }),
      hits: t.exposeInt('hits', { description: 'Bot answers with this entry in the hot window.' }),
      reasons: t.exposeStringList('reasons'),
    }),
  });
  const QuestionRef = builder.objectRef<SelfServiceCategory['questions'][number]>('SelfServiceQuestion').implement({
    fields: (t) => ({ entryId: t.exposeID('entryId'), question: t.exposeString('question') }),
  });
  const CategoryRef = builder.objectRef<SelfServiceCategory>('SelfServiceCategory').implement({
    description: 'A knowledge category with its public questions (sub-categories included), most answered first.',
    fields: (t) => ({ id: t.exposeID('id'), name: t.exposeString('name'), questions: t.field({ type: [QuestionRef], resolve: (c) => c.questions }) }),
  });
  const CardRef = builder.objectRef<SelfServiceCard>('SelfServiceCard').implement({
    description: 'A business card (名片/业务卡片).',
    fields: (t) => ({
      title: t.exposeString('title'),
      description: t.string({ nullable: true, resolve: (c) => c.description ?? null }),
      imageUrl: t.string({ nullable: true, resolve: (c) => c.imageUrl ?? null }),
      url: t.string({ nullable: true, resolve: (c) => c.url ?? null }),
      buttonLabel: t.string({ nullable: true, resolve: (c) => c.buttonLabel ?? null }),
    }),
  });
  const BubbleRef = builder.objectRef<SelfServiceBubble>('GuideBubble').implement({
    description: 'A guide bubble (引导气泡) the widget shows beside its launcher after `delaySec` on the page; clicking it opens the chat and asks `question`, if any.',
    fields: (t) => ({
      id: t.exposeID('id', { description: 'Stable while the bubble is unchanged (the widget remembers dismissed ones).' }),
      text: t.exposeString('text'),
      delaySec: t.exposeInt('delaySec'),
      question: t.exposeString('question', { nullable: true }),
    }),
  });
  const SelfServiceRef = builder.objectRef<SelfServiceView>('SelfService').implement({
    description: 'Self-service (自助服务) for one page: 猜你想问, FAQ lists by category, business cards and guide bubbles.',
    fields: (t) => ({
      title: t.exposeString('title'),
      guesses: t.field({ type: [GuessRef], resolve: (v) => v.guesses }),
      categories: t.field({ type: [CategoryRef], resolve: (v) => v.categories }),
      cards: t.field({ type: [CardRef], resolve: (v) => v.cards }),
      bubbles: t.field({ type: [BubbleRef], resolve: (v) => v.bubbles }),
    }),
  });

  builder.queryField('selfService', (t) =>
    t.field({
      type: SelfServiceRef,
      nullable: true,
      description: "Self-service for the page the visitor is on. With a visitor token: the token's channel (or, with `conversationId` and `nodeId`, that `self_service` node of the visitor's conversation); without one: the channel `channelKey` (anonymous, public content only: the widget shows guide bubbles before any chat starts). Null when the channel has no `config.selfService` or it is disabled.",
      args: {
        channelKey: t.arg.string({ required: false }),
        pageUrl: t.arg.string({ required: false }),
        pageTitle: t.arg.string({ required: false }),
        conversationId: t.arg.id({ required: false }),
        nodeId: t.arg.string({ required: false }),
      },
      resolve: async (_r, args, ctx) => {
        const input = parseInput(SelfServiceArgs, { ...args, conversationId: args.conversationId == null ? args.conversationId : String(args.conversationId) });
        if (ctx.principal.kind === 'anonymous') await limitRate(ctx, 'selfService');
        const p = ctx.principal;
        const page = { url: input.pageUrl ?? null, title: input.pageTitle ?? null };
        if (input.conversationId) {
          if (p.kind !== 'visitor') throw unauthenticated('a conversation\'s self-service needs the visitor\'s token');
          const conv = await conversationFor(ctx, input.conversationId);
          const nodeId = input.nodeId ?? conv.currentNodeId ?? '';
          const version = conv.flowVersionId ? await ctx.em.findOne(FlowVersion, { id: conv.flowVersionId }) : null;
          const node = (version?.definition as unknown as FlowDefinition | undefined)?.nodes.find((n) => n.id === nodeId && n.type === 'self_service');
          if (!node) throw notFound('FlowNode', nodeId);
          const cfg = SelfServiceNodeConfig.safeParse(node.config ?? {});
          const settings = cfg.success ? cfg.data : SelfServiceNodeConfig.parse({});
          return selfServiceView(ctx.hub.orm, p.workspaceId, { ...settings, title: settings.greeting }, page, { matchPage: botPageMatcher(ctx, p, p.workspaceId) });
        }
        let channel: Channel | null;
        let principal: Principal;
        if (p.kind === 'visitor') {
          channel = await ctx.em.findOne(Channel, { id: p.channelId });
          if (input.channelKey && channel && channel.publicKey !== input.channelKey) throw badInput('channelKey is not the channel of this visitor token', { issues: [{ path: 'channelKey', message: 'another channel' }] });
          principal = p;
        } else {
          if (!input.channelKey) throw unauthenticated('pass channelKey, or call with a visitor token');
          channel = await systemEm(ctx.hub.orm).findOne(Channel, { publicKey: input.channelKey, enabled: true }, NO_TENANT_FILTER);
          // An anonymous visitor of the channel (the widget before any chat): public content only.
          principal = { kind: 'visitor', workspaceId: channel?.workspaceId ?? '', channelId: channel?.id ?? '', customerId: '', sessionId: '' };
        }
        if (!channel || !channel.enabled) throw notFound('Channel', input.channelKey ?? '');
        const raw = channel.config?.selfService;
        if (raw === undefined || raw === null) return null;
        const parsed = SelfServiceSettings.safeParse(raw);
        if (!parsed.success || !parsed.data.enabled) return null;
        return selfServiceView(ctx.hub.orm, channel.workspaceId, parsed.data, page, { matchPage: botPageMatcher(ctx, principal, channel.workspaceId) });
      },
    }),
  );

  const IdentityArg = builder.inputType('VisitorIdentityInput', {
    description: 'A visitor identified by the embedding site: `sig` is hex HMAC-SHA256 of `<externalId>:<ts>` with the channel\'s `config.identitySecret`; `ts` is Unix seconds, accepted for 24 hours. `name` and `email` are not signed: they only label the customer.',
    fields: (t) => ({
      externalId: t.string({ required: true }),
      name: t.string({ required: false }),
      email: t.string({ required: false }),
      ts: t.float({ required: true }),
      sig: t.string({ required: true }),
    }),
  });

  refs.VisitorSession.implement({
    description: 'A widget visitor session: a server-generated token bound to one channel and one customer.',
    fields: (t) => ({
      token: t.exposeString('token'),
      expiresAt: t.expose('expiresAt', { type: 'DateTime' }),
      customerId: t.exposeID('customerId'),
      channelId: t.exposeID('channelId'),
      settings: t.field({
        type: 'JSON',
        description: "The channel's public widget settings (title, subtitle, accentColor); never its secrets.",
        resolve: (s) => s.settings ?? {},
      }),
    }),
  });

  builder.mutationField('startVisitorSession', (t) =>
    t.field({
      type: refs.VisitorSession,
      description: 'Starts (or resumes, with the same visitorId) an anonymous visitor on a channel; with a signed `identity`, the identified customer `user:<externalId>` (same customer from any browser).',
      args: {
        channelKey: t.arg.string(), visitorId: t.arg.string({ required: false }), displayName: t.arg.string({ required: false }),
        identity: t.arg({ type: IdentityArg, required: false }),
      },
      resolve: async (_r, args, ctx) => {
        const input = parseInput(StartInput, args);
        await limitRate(ctx, 'visitorSession');
        const em = systemEm(ctx.hub.orm);
        const channel = await em.findOne(Channel, { publicKey: input.channelKey, enabled: true }, NO_TENANT_FILTER);
        if (!channel) throw notFound('Channel', input.channelKey);
        const identity = input.identity ?? null;
        if (identity) verifyIdentity(channel, identity);
        const { token, tokenHash } = newVisitorToken();
        const expiresAt = new Date(Date.now() + VISITOR_TTL_MS);
        const wsEm = () => {
          const f = em.fork();
          f.setFilterParams('workspace', { id: channel.workspaceId });
          return f;
        };
        // Two first visits of the same visitor/user at once race on the identity's unique key: the loser retries and finds it.
        const session = (attempt: number): Promise<string> => ctx.hub.transact(wsEm(), async (tx) => {
          let id: string | undefined;
          if (identity) {
            // Verified: the company's user id names one customer in the workspace, whichever browser or widget they use.
            const externalId = `user:${identity.externalId}`;
            const here = await tx.findOne(CustomerIdentity, { channelId: channel.id, externalId });
            const elsewhere = here ?? await tx.findOne(CustomerIdentity, { externalId, verified: true }, { orderBy: { createdAt: 'asc' } });
            id = (here ?? elsewhere)?.customerId;
            if (!id) {
              const c = tx.create(Customer, { workspaceId: channel.workspaceId, displayName: identity.name ?? input.displayName ?? identity.externalId, email: identity.email ?? null, tags: [], attributes: {} });
              recordEvent(tx, channel.workspaceId, 'customer.created', { customerId: c.id, channelId: channel.id, identified: true });
              id = c.id;
            } else {
              const c = await tx.findOne(Customer, { id });
              if (c && identity.name) c.displayName = identity.name;
              if (c && identity.email) c.email = identity.email;
            }
            if (!here) tx.create(CustomerIdentity, { workspaceId: channel.workspaceId, customerId: id, channelId: channel.id, externalId, verified: true });
          } else {
            const known = input.visitorId ? await tx.findOne(CustomerIdentity, { channelId: channel.id, externalId: `visitor:${input.visitorId}` }) : null;
            id = known?.customerId;
            if (!id) {
              const c = tx.create(Customer, { workspaceId: channel.workspaceId, displayName: input.displayName ?? 'Visitor', tags: [], attributes: {} });
              tx.create(CustomerIdentity, { workspaceId: channel.workspaceId, customerId: c.id, channelId: channel.id, externalId: `visitor:${input.visitorId ?? c.id}`, verified: false });
              recordEvent(tx, channel.workspaceId, 'customer.created', { customerId: c.id, channelId: channel.id });
              id = c.id;
            }
          }
          tx.create(VisitorSession, { workspaceId: channel.workspaceId, channelId: channel.id, customerId: id, tokenHash, expiresAt });
          return id;
        }).catch((err: unknown) => {
          const e = err as { code?: string; name?: string };
          if (attempt === 0 && (e.code === 'ER_DUP_ENTRY' || e.name === 'UniqueConstraintViolationException')) return session(1);
          throw err;
        });
        const customerId = await session(0);
        return { token, expiresAt, customerId, channelId: channel.id, settings: publicSettings(channel.config) };
      },
    }),
  );

  builder.queryField('visitorSession', (t) =>
    t.field({
      type: refs.VisitorSession,
      description: 'The calling visitor (token is not echoed back).',
      authScopes: can.visitor,
      resolve: async (_r, _a, ctx) => {
        if (ctx.principal.kind !== 'visitor') throw unauthenticated();
        const s = await ctx.em.findOne(VisitorSession, { id: ctx.principal.sessionId });
        if (!s) throw unauthenticated();
        const channel = await ctx.em.findOne(Channel, { id: s.channelId });
        return { token: '', expiresAt: s.expiresAt, customerId: s.customerId, channelId: s.channelId, settings: publicSettings(channel?.config ?? {}) };
      },
    }),
  );
}

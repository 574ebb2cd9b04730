/**
 * The bot stage of the message path. After a customer message is persisted, the sender fires
 * `onCustomerMessage` without awaiting it; while the conversation is in a bot node this:
 *   1. asks the node's bot plugin for an answer (not installed / failing → treated as unmatched),
 *   2. evaluates the node's transfer rules in order (the first that fires wins) — on a fire it records
 *      `conversation.transferRule`, posts a `transfer_requested` system message and asks the
 *      conversation's workflow for a human (`requestHuman`); the bot answer is not posted,
 *   3. otherwise posts the bot's answer (or suggestions, or a fallback) as a `bot` message.
 * The replies carry client ids derived from the customer message (`bot:<id>`, `transfer:<id>`), so a
 * re-run for the same message is a no-op. A "not useful" rating of a bot answer (`onBotFeedback`)
 * runs the rules again with the rating as input. Nothing thrown here escapes: plugin failures are recorded on
 * the plugin's installation, anything else is logged.
 */
import type { MikroORM } from '@mikro-orm/mysql';
import { z } from 'zod';
import type { BotAnswer, BotQuestion, PluginRuntimeContext, TransferRuleInput } from '@kefu-hub/plugin-sdk';
import { Conversation, Customer, FlowVersion, Message, PluginInstallation } from '../db/entities/index.ts';
import { workspaceEm, type EntityManager } from '../db/orm.ts';
import { BotNodeConfig } from '../flows/registry.ts';
import type { FlowDefinition } from '../flows/types.ts';
import { PluginNotInstalledError, type PluginRegistry } from '../kernel/registry.ts';
import { ConversationClosedError, toView, type ConversationService } from './service.ts';
import type { MessageView } from './topics.ts';
import { recordKnowledgeHit } from '../stats/knowledge-hits.ts';

export type BotNodeSettings = z.output<typeof BotNodeConfig>;

export const BOT_FALLBACK_TEXT = '抱歉，我没有理解您的问题，请换个说法试试，或输入“转人工”联系人工客服。 Sorry, I did not understand — type 转人工 for a human.';
export const BOT_SUGGESTIONS_TEXT = '您是不是想问： Did you mean:';
/** A bot that has not answered after this long is treated as failed (recorded on its installation). */
export const DEFAULT_BOT_TIMEOUT_MS = 10_000;
/** How far back the consecutive-unmatched count looks. */
const UNMATCHED_LOOKBACK = 50;
const CACHE_MAX = 2000;

export interface BotPipelineLogger {
  debug(msg: string, data?: Record<string, unknown>): void;
  info(msg: string, data?: Record<string, unknown>): void;
  warn(msg: string, data?: Record<string, unknown>): void;
  error(msg: string, data?: Record<string, unknown>): void;
}

export interface BotPipelineDeps {
  orm: MikroORM;
  registry: PluginRegistry;
  conversations: ConversationService;
  /** Hands the conversation to a human (signals its workflow). Called after a transfer rule fired. */
  requestHuman: (workspaceId: string, conversationId: string, rule: string) => Promise<void>;
  logger: BotPipelineLogger;
  botTimeoutMs?: number;
}

/** Bot plugins are third-party code: their answer is checked before it reaches a message or a rule. */
const BotAnswerShape = z.object({
  matched: z.boolean(),
  confidence: z.number().catch(0).transform((c) => (Number.isFinite(c) ? Math.min(1, Math.max(0, c)) : 0)),
  answer: z.object({ type: z.enum(['text', 'rich_text', 'card']), body: z.record(z.string(), z.unknown()) }).nullish(),
  suggestions: z.array(z.object({ question: z.string().min(1).max(500), entryId: z.string().max(64).nullish() }))
    .nullish().transform((s) => (s ?? []).slice(0, 10)),
  entryId: z.string().max(64).nullish(),
});

function toBotAnswer(botName: string, raw: unknown): BotAnswer {
  const r = BotAnswerShape.safeParse(raw);
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new Error(`bot "${botName}" returned a malformed answer: ${issues}`);
  }
  const a = r.data;
  return {
    matched: a.matched && !!a.answer,
    confidence: a.confidence,
    ...(a.answer ? { answer: a.answer } : {}),
    suggestions: a.suggestions.map((s) => (s.entryId ? { question: s.question, entryId: s.entryId } : { question: s.question })),
    ...(a.entryId ? { entryId: a.entryId } : {}),
  };
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

function errorText(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

export class BotPipeline {
  private readonly orm: MikroORM;
  private readonly registry: PluginRegistry;
  private readonly conversations: ConversationService;
  private readonly requestHuman: BotPipelineDeps['requestHuman'];
  private readonly logger: BotPipelineLogger;
  private readonly botTimeoutMs: number;
  /** Published flow versions are immutable: definitions and parsed bot-node configs are cached by id. */
  private readonly definitions = new Map<string, FlowDefinition>();
  private readonly nodes = new Map<string, BotNodeSettings | null>();

  constructor(deps: BotPipelineDeps) {
    this.orm = deps.orm;
    this.registry = deps.registry;
    this.conversations = deps.conversations;
    this.requestHuman = deps.requestHuman;
    this.logger = deps.logger;
    this.botTimeoutMs = deps.botTimeoutMs ?? DEFAULT_BOT_TIMEOUT_MS;
  }

  /** Runs the bot stage for a persisted customer message. Never throws (callers do not await it). */
  /**
   * Runs the bot on the conversation's recent customer messages that have no bot reply yet, in order
   * (each run is idempotent by the customer message id). Called when a bot node is entered.
   */
  async catchUp(workspaceId: string, conversationId: string): Promise<void> {
    const em = workspaceEm(this.orm, workspaceId);
    const recent = await em.find(Message, { conversationId, senderType: 'customer' }, { orderBy: { seq: 'desc' }, limit: 5 });
    for (const m of recent.reverse()) await this.onCustomerMessage(workspaceId, toView(m));
  }

  async onCustomerMessage(workspaceId: string, message: MessageView): Promise<void> {
    try {
      await this.handle(workspaceId, message);
    } catch (err) {
      if (err instanceof ConversationClosedError) {
        this.logger.debug('bot reply skipped: conversation closed', { workspaceId, conversationId: message.conversationId });
        return;
      }
      this.logger.error('bot pipeline failed', { workspaceId, conversationId: message.conversationId, messageId: message.id, error: errorText(err) });
    }
  }

  /**
   * The customer rated a bot answer. A "not useful" rating runs the node's transfer rules with
   * `input.feedback` set (the `not_useful` rule fires on it); a transfer is recorded like one on a
   * message, with client id `transfer:fb:<bot message id>` so a repeated rating hands over once.
   * Never throws: returns the rule that fired, or null.
   */
  async onBotFeedback(workspaceId: string, conversationId: string, messageId: string, useful: boolean): Promise<{ rule: string; reason: string } | null> {
    if (useful) return null;
    try {
      const em = workspaceEm(this.orm, workspaceId);
      const conv = await em.findOne(Conversation, { id: conversationId });
      if (!conv || conv.status !== 'bot') return null;
      const rated = await em.findOne(Message, { id: messageId, conversationId, senderType: 'bot' });
      if (!rated) return null;
      const transferKey = `transfer:fb:${messageId}`;
      if (await em.count(Message, { conversationId, clientMessageId: transferKey })) return null; // already handed over for it
      const node = await this.botNode(em, conv.flowVersionId ?? null, conv.currentNodeId ?? null);
      if (!node?.transferRules.length) return null;
      const installed = new Set((await em.find(PluginInstallation, { enabled: true }, { fields: ['pluginName'] })).map((i) => i.pluginName));
      const body = rated.body;
      const entryId = typeof body.entryId === 'string' ? body.entryId : undefined;
      const bot: BotAnswer = {
        matched: body.matched === true,
        confidence: typeof body.confidence === 'number' ? body.confidence : 0,
        ...(entryId ? { entryId } : {}),
      };
      const customer = await em.findOne(Customer, { id: conv.customerId });
      const customerMessages = await em.count(Message, { conversationId, senderType: 'customer' });
      const input: TransferRuleInput = {
        text: '', bot, consecutiveUnmatched: 0, customerMessages,
        customer: { id: conv.customerId, tags: customer?.tags ?? [], attributes: customer?.attributes ?? {} },
        feedback: { useful: false, ...(entryId ? { entryId } : {}) },
      };
      const fired = await this.evaluateRules(workspaceId, node.transferRules, installed, input);
      if (fired) await this.transfer(em, workspaceId, conversationId, transferKey, fired.rule, fired.reason);
      return fired;
    } catch (err) {
      if (err instanceof ConversationClosedError) return null;
      this.logger.error('bot feedback handling failed', { workspaceId, conversationId, messageId, error: errorText(err) });
      return null;
    }
  }

  private async handle(workspaceId: string, message: MessageView): Promise<void> {
    if (message.senderType !== 'customer') return;
    const text = typeof message.body.text === 'string' ? message.body.text.trim() : '';
    if (!text) return; // images, files, …: nothing the bot or the rules can read
    const em = workspaceEm(this.orm, workspaceId);
    const conv = await em.findOne(Conversation, { id: message.conversationId });
    if (!conv || conv.status !== 'bot') return;

    const botKey = `bot:${message.id}`;
    const transferKey = `transfer:${message.id}`;
    if (await em.count(Message, { conversationId: conv.id, clientMessageId: { $in: [botKey, transferKey] } })) return; // already handled

    const node = await this.botNode(em, conv.flowVersionId ?? null, conv.currentNodeId ?? null);
    if (!node) {
      this.logger.debug('conversation is not in a bot node', { workspaceId, conversationId: conv.id, nodeId: conv.currentNodeId ?? null });
      return;
    }
    const installed = new Set((await em.find(PluginInstallation, { enabled: true }, { fields: ['pluginName'] })).map((i) => i.pluginName));

    const bot = await this.ask(workspaceId, node.bot, installed, { text, conversationId: conv.id, customerId: conv.customerId });
    const consecutiveUnmatched = bot?.matched ? 0 : 1 + (await this.previousUnmatched(em, conv.id, message.seq));

    if (node.transferRules.length) {
      const customer = await em.findOne(Customer, { id: conv.customerId });
      const customerMessages = await em.count(Message, { conversationId: conv.id, senderType: 'customer', seq: { $lte: message.seq } });
      const input: TransferRuleInput = {
        text, bot, consecutiveUnmatched, customerMessages,
        customer: { id: conv.customerId, tags: customer?.tags ?? [], attributes: customer?.attributes ?? {} },
      };
      const fired = await this.evaluateRules(workspaceId, node.transferRules, installed, input);
      if (fired) {
        await this.transfer(em, workspaceId, conv.id, transferKey, fired.rule, fired.reason);
        return;
      }
    }
    await this.postAnswer(workspaceId, conv.id, botKey, node.bot, bot);
  }

  /**
   * The bot-node config the conversation is at: the published version's node, defaults filled in.
   * A conversation not (yet) placed in a flow runs the default bot config; a node of another type → null.
   */
  private async botNode(em: EntityManager, flowVersionId: string | null, nodeId: string | null): Promise<BotNodeSettings | null> {
    if (!flowVersionId || !nodeId) return BotNodeConfig.parse({});
    const key = `${flowVersionId}:${nodeId}`;
    if (this.nodes.has(key)) return this.nodes.get(key)!;
    let def = this.definitions.get(flowVersionId);
    if (!def) {
      const version = await em.findOne(FlowVersion, { id: flowVersionId });
      if (!version) {
        this.logger.warn('flow version not found', { flowVersionId });
        return null;
      }
      def = version.definition as unknown as FlowDefinition;
      if (this.definitions.size >= CACHE_MAX) this.definitions.clear();
      this.definitions.set(flowVersionId, def);
    }
    const node = def.nodes.find((n) => n.id === nodeId);
    let settings: BotNodeSettings | null = null;
    if (node?.type === 'bot') {
      const parsed = BotNodeConfig.safeParse(node.config ?? {});
      if (parsed.success) settings = parsed.data;
      else {
        this.logger.warn('bot node config is invalid; using defaults', { flowVersionId, nodeId, issues: parsed.error.issues.map((i) => i.message) });
        settings = BotNodeConfig.parse({});
      }
    }
    if (this.nodes.size >= CACHE_MAX) this.nodes.clear();
    this.nodes.set(key, settings);
    return settings;
  }

  /** The bot plugin's answer, or null when it is not installed/enabled here, failed, or answered garbage. */
  private async ask(workspaceId: string, botName: string, installed: Set<string>, question: BotQuestion): Promise<BotAnswer | null> {
    const def = this.registry.get(botName);
    if (!def?.bot) {
      this.logger.warn('bot node names a plugin that is not a loaded bot', { workspaceId, bot: botName });
      return null;
    }
    if (!installed.has(botName)) {
      this.logger.debug('bot plugin not installed in workspace', { workspaceId, bot: botName });
      return null;
    }
    try {
      const rt = await this.registry.runtime(botName, workspaceId);
      const raw = await withTimeout(Promise.resolve(def.bot.answer(question, rt)), this.botTimeoutMs, `bot "${botName}"`);
      return toBotAnswer(botName, raw);
    } catch (err) {
      if (err instanceof PluginNotInstalledError) return null; // disabled/uninstalled since we looked
      await this.registry.recordError(botName, workspaceId, err);
      return null;
    }
  }

  /** Unmatched bot replies right before this message (stops at a matched reply, an agent or a transfer). */
  private async previousUnmatched(em: EntityManager, conversationId: string, beforeSeq: number): Promise<number> {
    const recent = await em.find(
      Message,
      { conversationId, seq: { $lt: beforeSeq }, senderType: { $in: ['bot', 'agent', 'system'] } },
      { orderBy: { seq: 'desc' }, limit: UNMATCHED_LOOKBACK },
    );
    let n = 0;
    for (const m of recent) {
      if (m.senderType === 'agent') break;
      if (m.senderType === 'system') {
        if (m.body.event === 'transfer_requested') break;
        continue;
      }
      if (typeof m.body.matched !== 'boolean') continue; // greeting and other non-answers
      if (m.body.matched) break;
      n++;
    }
    return n;
  }

  /** The first configured rule that fires; unknown, uninstalled, misconfigured or failing rules are skipped. */
  private async evaluateRules(
    workspaceId: string, configured: BotNodeSettings['transferRules'], installed: Set<string>, input: TransferRuleInput,
  ): Promise<{ rule: string; reason: string } | null> {
    // Each rule gets its plugin's runtime (e.g. the emotion rule reads its detector from the plugin config).
    const runtimes = new Map<string, Promise<PluginRuntimeContext<unknown> | undefined>>();
    const runtimeOf = (plugin: string) => {
      let rt = runtimes.get(plugin);
      if (!rt) {
        rt = this.registry.runtime(plugin, workspaceId).catch((err: unknown) => {
          if (!(err instanceof PluginNotInstalledError)) this.logger.warn('transfer rule runtime unavailable', { workspaceId, plugin, error: errorText(err) });
          return undefined;
        });
        runtimes.set(plugin, rt);
      }
      return rt;
    };
    for (const { rule: name, config } of configured) {
      const found = this.registry.rule(name);
      if (!found) {
        this.logger.warn('unknown transfer rule skipped', { workspaceId, rule: name });
        continue;
      }
      if (!installed.has(found.plugin)) {
        this.logger.debug('transfer rule skipped: plugin not installed in workspace', { workspaceId, rule: name, plugin: found.plugin });
        continue;
      }
      const cfg = found.rule.config.safeParse(config ?? {});
      if (!cfg.success) {
        await this.registry.recordError(found.plugin, workspaceId, new Error(`transfer rule "${name}" config is invalid: ${cfg.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`));
        continue;
      }
      try {
        const r = await found.rule.evaluate(input, cfg.data, await runtimeOf(found.plugin));
        if (r?.fire) return { rule: name, reason: typeof r.reason === 'string' && r.reason ? r.reason.slice(0, 500) : name };
      } catch (err) {
        await this.registry.recordError(found.plugin, workspaceId, err);
      }
    }
    return null;
  }

  private async transfer(em: EntityManager, workspaceId: string, conversationId: string, clientMessageId: string, rule: string, reason: string): Promise<void> {
    await em.nativeUpdate(Conversation, { id: conversationId, status: 'bot' }, { transferRule: rule.slice(0, 64), updatedAt: new Date() });
    try {
      await this.conversations.post({
        workspaceId, conversationId, senderType: 'system', senderId: null, type: 'system',
        body: { event: 'transfer_requested', rule, reason }, clientMessageId,
      });
    } catch (err) {
      // The hand-over matters more than its notice.
      this.logger.error('could not post the transfer notice', { workspaceId, conversationId, error: errorText(err) });
    }
    try {
      await this.requestHuman(workspaceId, conversationId, rule);
    } catch (err) {
      this.logger.error('requestHuman failed', { workspaceId, conversationId, rule, error: errorText(err) });
    }
  }

  private async postAnswer(workspaceId: string, conversationId: string, clientMessageId: string, botName: string, bot: BotAnswer | null): Promise<void> {
    const answer = bot?.matched ? bot.answer : undefined;
    const matched = !!answer;
    const suggestions = bot?.suggestions ?? [];
    let type = 'text';
    let content: Record<string, unknown>;
    let fallback = false;
    if (answer) {
      type = answer.type;
      content = { ...answer.body };
    } else if (suggestions.length) {
      content = { text: [BOT_SUGGESTIONS_TEXT, ...suggestions.map((s, i) => `${i + 1}. ${s.question}`)].join('\n') };
    } else {
      content = { text: BOT_FALLBACK_TEXT };
      fallback = true;
    }
    const body: Record<string, unknown> = {
      ...content,
      text: typeof content.text === 'string' ? content.text : '',
      matched,
      confidence: bot?.confidence ?? 0,
      entryId: bot?.entryId ?? null,
      suggestions,
      bot: botName,
      fallback,
    };
    const posted = await this.conversations.post({ workspaceId, conversationId, senderType: 'bot', senderId: null, type, body, clientMessageId });
    // Hot questions (self-service 猜你想问) count the bot's answers by entry; a re-run (duplicate) counts nothing.
    if (matched && bot?.entryId && !posted.duplicate) {
      await recordKnowledgeHit(this.orm, workspaceId, bot.entryId).catch((err: unknown) => this.logger.warn('knowledge hit not counted', { workspaceId, error: errorText(err) }));
    }
  }
}

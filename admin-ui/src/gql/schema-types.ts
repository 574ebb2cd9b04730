export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** ISO-8601 timestamp (UTC) */
  DateTime: { input: string; output: string; }
  /** Arbitrary JSON value */
  JSON: { input: unknown; output: unknown; }
};

/** The agent side of a user: status, capacity and skills. */
export type AgentProfile = {
  id: Scalars['ID']['output'];
  maxConcurrentChats: Scalars['Int']['output'];
  skills: Array<AgentSkill>;
  status: AgentStatus;
  updatedAt: Scalars['DateTime']['output'];
  user?: Maybe<User>;
  userId: Scalars['ID']['output'];
};

export type AgentSkill = {
  agentProfileId: Scalars['ID']['output'];
  level: Scalars['Int']['output'];
  /** Null when the group is outside a supervisor's departments. */
  skillGroup?: Maybe<SkillGroup>;
  skillGroupId: Scalars['ID']['output'];
};

export type AgentSkillInput = {
  level: Scalars['Int']['input'];
  skillGroupId: Scalars['ID']['input'];
};

export type AgentStatus =
  | 'away'
  | 'busy'
  | 'offline'
  | 'online';

/** A key for enterprise systems; the secret is shown once, at creation, and stored hashed. */
export type ApiKey = {
  createdAt: Scalars['DateTime']['output'];
  id: Scalars['ID']['output'];
  lastUsedAt?: Maybe<Scalars['DateTime']['output']>;
  name: Scalars['String']['output'];
  prefix: Scalars['String']['output'];
  revokedAt?: Maybe<Scalars['DateTime']['output']>;
  scopes: Array<ApiScope>;
};

export type ApiScope =
  | 'ADMIN_READ'
  | 'ADMIN_WRITE'
  | 'CONVERSATIONS_READ'
  | 'CONVERSATIONS_WRITE'
  | 'CUSTOMERS_READ'
  | 'CUSTOMERS_WRITE'
  | 'PLUGINS_READ'
  | 'PLUGINS_WRITE';

/** A knowledge entry suggested to an agent, with its match score (0..1). */
export type AssistSuggestion = {
  answer: Scalars['String']['output'];
  answerBody?: Maybe<Scalars['JSON']['output']>;
  answerType: KnowledgeAnswerType;
  categoryPath?: Maybe<Scalars['String']['output']>;
  entry: KnowledgeEntry;
  entryId: Scalars['ID']['output'];
  question: Scalars['String']['output'];
  score: Scalars['Float']['output'];
  visibility: KnowledgeVisibility;
};

/** One admin action: who did what to which object, when. */
export type AuditLogEntry = {
  action: Scalars['String']['output'];
  actorId?: Maybe<Scalars['ID']['output']>;
  actorType: Scalars['String']['output'];
  createdAt: Scalars['DateTime']['output'];
  details: Scalars['JSON']['output'];
  id: Scalars['ID']['output'];
  targetId?: Maybe<Scalars['ID']['output']>;
  targetType: Scalars['String']['output'];
};

/** A plugin this hub has loaded, installable per workspace. */
export type AvailablePlugin = {
  /** JSON Schema of the config; the admin UI renders it as a form. */
  configJsonSchema: Scalars['JSON']['output'];
  description?: Maybe<LocalizedText>;
  displayName: LocalizedText;
  kinds: Array<Scalars['String']['output']>;
  name: Scalars['String']['output'];
  source: Scalars['String']['output'];
  version: Scalars['String']['output'];
};

export type BotMetrics = {
  /** One row per day and channel (zero-filled for channels active in the range). */
  days: Array<BotMetricsDay>;
  from: Scalars['DateTime']['output'];
  timezone: Scalars['String']['output'];
  to: Scalars['DateTime']['output'];
  total: BotMetricsTotals;
};

export type BotMetricsDay = {
  /** Questions the bot answered (matched). */
  answered: Scalars['Int']['output'];
  /** Customer questions the bot replied to. */
  asked: Scalars['Int']['output'];
  /** Conversations with a bot phase (counted on the day they started). */
  botConversations: Scalars['Int']['output'];
  channelId: Scalars['ID']['output'];
  /** Calendar day (YYYY-MM-DD) in the workspace's time zone. */
  day: Scalars['String']['output'];
  /** answered / asked (null without questions). */
  recall?: Maybe<Scalars['Float']['output']>;
  /** resolvedByBot / botConversations. */
  resolutionRate?: Maybe<Scalars['Float']['output']>;
  /** Bot conversations that ended without a transfer (smart resolution). */
  resolvedByBot: Scalars['Int']['output'];
  /** Unmatched questions that got "did you mean" suggestions. */
  suggested: Scalars['Int']['output'];
  /** transferred / botConversations. */
  transferRate?: Maybe<Scalars['Float']['output']>;
  /** Bot conversations handed to a human (a transfer rule fired or they were queued). */
  transferred: Scalars['Int']['output'];
  /** Questions the bot could not answer (suggestions or fallback). */
  unmatched: Scalars['Int']['output'];
};

export type BotMetricsTotals = {
  /** Questions the bot answered (matched). */
  answered: Scalars['Int']['output'];
  /** Customer questions the bot replied to. */
  asked: Scalars['Int']['output'];
  /** Conversations with a bot phase (counted on the day they started). */
  botConversations: Scalars['Int']['output'];
  /** answered / asked (null without questions). */
  recall?: Maybe<Scalars['Float']['output']>;
  /** resolvedByBot / botConversations. */
  resolutionRate?: Maybe<Scalars['Float']['output']>;
  /** Bot conversations that ended without a transfer (smart resolution). */
  resolvedByBot: Scalars['Int']['output'];
  /** Unmatched questions that got "did you mean" suggestions. */
  suggested: Scalars['Int']['output'];
  /** transferred / botConversations. */
  transferRate?: Maybe<Scalars['Float']['output']>;
  /** Bot conversations handed to a human (a transfer rule fired or they were queued). */
  transferred: Scalars['Int']['output'];
  /** Questions the bot could not answer (suggestions or fallback). */
  unmatched: Scalars['Int']['output'];
};

export type CannedReply = {
  id: Scalars['ID']['output'];
  shortcut?: Maybe<Scalars['String']['output']>;
  /** Handlebars: {{customer.name}}, {{agent.name}}, {{workspace.name}}, {{conversation.id}} */
  template: Scalars['String']['output'];
  title: Scalars['String']['output'];
};

/** An entry point customers use: web widget, WeChat OA, e-mail, WhatsApp, API, … */
export type Channel = {
  /** Channel settings. Secrets (keys containing "secret", e.g. the widget's identitySecret) are shown to admins only; others see "********". `selfService` configures the widget's self-service (猜你想问, category lists, cards, guide bubbles; see the README). */
  config: Scalars['JSON']['output'];
  createdAt: Scalars['DateTime']['output'];
  enabled: Scalars['Boolean']['output'];
  id: Scalars['ID']['output'];
  kind: Scalars['String']['output'];
  name: Scalars['String']['output'];
  /** Non-secret id for embed snippets and inbound webhook URLs. */
  publicKey: Scalars['String']['output'];
};

/** A conversation and where it is in its lifecycle. */
export type Conversation = {
  agentReadSeq: Scalars['Int']['output'];
  assignedAt?: Maybe<Scalars['DateTime']['output']>;
  assignee?: Maybe<User>;
  assigneeId?: Maybe<Scalars['ID']['output']>;
  /** Display name of the agent (safe to show to the customer). */
  assigneeName?: Maybe<Scalars['String']['output']>;
  channel?: Maybe<Channel>;
  channelId: Scalars['ID']['output'];
  closeReason?: Maybe<Scalars['String']['output']>;
  closedAt?: Maybe<Scalars['DateTime']['output']>;
  createdAt: Scalars['DateTime']['output'];
  currentNodeId?: Maybe<Scalars['String']['output']>;
  customer?: Maybe<Customer>;
  customerId: Scalars['ID']['output'];
  customerReadSeq: Scalars['Int']['output'];
  firstResponseAt?: Maybe<Scalars['DateTime']['output']>;
  flowVersionId?: Maybe<Scalars['ID']['output']>;
  id: Scalars['ID']['output'];
  lastSeq: Scalars['Int']['output'];
  /** Messages after a cursor (seq), in order. */
  messages: Array<Message>;
  queuedAt?: Maybe<Scalars['DateTime']['output']>;
  /** Every routing decision of this conversation, oldest first. */
  routingDecisions: Array<RoutingDecision>;
  skillGroupId?: Maybe<Scalars['ID']['output']>;
  status: Scalars['String']['output'];
  survey?: Maybe<SurveyResponse>;
  trail: Scalars['JSON']['output'];
  transferRule?: Maybe<Scalars['String']['output']>;
  /** The transfer history of the conversation (offers included), oldest first. */
  transfers: Array<ConversationTransfer>;
};


/** A conversation and where it is in its lifecycle. */
export type ConversationMessagesArgs = {
  afterSeq?: InputMaybe<Scalars['Int']['input']>;
  limit?: InputMaybe<Scalars['Int']['input']>;
};

/** A live event of one conversation (message, status, typing, read, queue position). */
export type ConversationEvent = {
  assigneeId?: Maybe<Scalars['ID']['output']>;
  conversationId: Scalars['ID']['output'];
  estimatedWaitSec?: Maybe<Scalars['Int']['output']>;
  kind: Scalars['String']['output'];
  message?: Maybe<Message>;
  messageId?: Maybe<Scalars['ID']['output']>;
  position?: Maybe<Scalars['Int']['output']>;
  preview?: Maybe<Scalars['String']['output']>;
  seq?: Maybe<Scalars['Int']['output']>;
  side?: Maybe<Scalars['String']['output']>;
  status?: Maybe<Scalars['String']['output']>;
};

/** One hand-over of a conversation, or an offer of one (kind agent, pending until the receiver answers). Notes are for agents only. */
export type ConversationTransfer = {
  conversation?: Maybe<Conversation>;
  conversationId: Scalars['ID']['output'];
  createdAt: Scalars['DateTime']['output'];
  decidedAt?: Maybe<Scalars['DateTime']['output']>;
  decidedById?: Maybe<Scalars['ID']['output']>;
  expiresAt?: Maybe<Scalars['DateTime']['output']>;
  fromAgent?: Maybe<User>;
  fromAgentId?: Maybe<Scalars['ID']['output']>;
  id: Scalars['ID']['output'];
  kind: TransferKind;
  note?: Maybe<Scalars['String']['output']>;
  /** Why it was declined or cancelled, or why the system requeued (agent_offline, agent_away). */
  reason?: Maybe<Scalars['String']['output']>;
  /** The sending agent or the supervisor; null for the system (status changes). */
  requestedById?: Maybe<Scalars['ID']['output']>;
  status: TransferStatus;
  toAgent?: Maybe<User>;
  toAgentId?: Maybe<Scalars['ID']['output']>;
  toSkillGroup?: Maybe<SkillGroup>;
  toSkillGroupId?: Maybe<Scalars['ID']['output']>;
};

export type CreatedApiKey = {
  apiKey: ApiKey;
  /** The full key. It cannot be read again. */
  key: Scalars['String']['output'];
};

/** A customer, across channels. */
export type Customer = {
  attributes: Scalars['JSON']['output'];
  /** History conversations of this customer, newest first. */
  conversations: Array<Conversation>;
  createdAt: Scalars['DateTime']['output'];
  displayName: Scalars['String']['output'];
  email?: Maybe<Scalars['String']['output']>;
  id: Scalars['ID']['output'];
  phone?: Maybe<Scalars['String']['output']>;
  tags: Array<Scalars['String']['output']>;
};


/** A customer, across channels. */
export type CustomerConversationsArgs = {
  limit?: InputMaybe<Scalars['Int']['input']>;
};

/** An organisational unit; supervisors see the data of their departments only. */
export type Department = {
  createdAt: Scalars['DateTime']['output'];
  id: Scalars['ID']['output'];
  name: Scalars['String']['output'];
  parentId?: Maybe<Scalars['ID']['output']>;
};

export type ExampleNote = {
  createdAt: Scalars['DateTime']['output'];
  id: Scalars['ID']['output'];
  source: Scalars['String']['output'];
  text: Scalars['String']['output'];
};

/** A word and the words customers use for it; the FAQ bot reads them all as the term. */
export type FaqBotSynonym = {
  id: Scalars['ID']['output'];
  synonyms: Array<Scalars['String']['output']>;
  term: Scalars['String']['output'];
  updatedAt: Scalars['DateTime']['output'];
};

export type Flow = {
  createdAt: Scalars['DateTime']['output'];
  id: Scalars['ID']['output'];
  name: Scalars['String']['output'];
  publishedVersionId?: Maybe<Scalars['ID']['output']>;
  versions: Array<FlowVersion>;
};

export type FlowNodeType = {
  configJsonSchema: Scalars['JSON']['output'];
  labelEn: Scalars['String']['output'];
  labelZh: Scalars['String']['output'];
  outcomes: Array<Scalars['String']['output']>;
  source: Scalars['String']['output'];
  type: Scalars['String']['output'];
};

export type FlowVersion = {
  createdAt: Scalars['DateTime']['output'];
  createdById?: Maybe<Scalars['ID']['output']>;
  definition: Scalars['JSON']['output'];
  flowId: Scalars['ID']['output'];
  id: Scalars['ID']['output'];
  publishedAt?: Maybe<Scalars['DateTime']['output']>;
  version: Scalars['Int']['output'];
};

/** A guide bubble (引导气泡) the widget shows beside its launcher after `delaySec` on the page; clicking it opens the chat and asks `question`, if any. */
export type GuideBubble = {
  delaySec: Scalars['Int']['output'];
  /** Stable while the bubble is unchanged (the widget remembers dismissed ones). */
  id: Scalars['ID']['output'];
  question?: Maybe<Scalars['String']['output']>;
  text: Scalars['String']['output'];
};

export type HubEvent = {
  id: Scalars['ID']['output'];
  occurredAt: Scalars['String']['output'];
  payload: Scalars['JSON']['output'];
  type: Scalars['String']['output'];
};

export type HubNode = {
  available: Scalars['Boolean']['output'];
  id: Scalars['String']['output'];
  local: Scalars['Boolean']['output'];
  services: Array<Scalars['String']['output']>;
};

export type InboxEvent = {
  conversationId: Scalars['ID']['output'];
  fromAgentId?: Maybe<Scalars['ID']['output']>;
  kind: Scalars['String']['output'];
  /** The transfer's note, or the reason a transfer offer ended. */
  note?: Maybe<Scalars['String']['output']>;
  /** The transfer (offer) the event is about. */
  transferId?: Maybe<Scalars['ID']['output']>;
};

export type KnowledgeAnswerType =
  | 'card'
  | 'image'
  | 'link'
  | 'rich_text'
  | 'text';

/** A knowledge-base category (分类). Categories nest through parentId; siblings are ordered by sort. */
export type KnowledgeCategory = {
  createdAt: Scalars['DateTime']['output'];
  /** Entries directly in this category. */
  entryCount: Scalars['Int']['output'];
  id: Scalars['ID']['output'];
  name: Scalars['String']['output'];
  parentId?: Maybe<Scalars['ID']['output']>;
  /** Names from the root, joined with " > ". */
  path: Scalars['String']['output'];
  sort: Scalars['Int']['output'];
  updatedAt: Scalars['DateTime']['output'];
};

/** A knowledge entry: a standard question, its variants and the answer. `answer` is the plain text the bot sends; `answerType`/`answerBody` hold the rich form. */
export type KnowledgeEntry = {
  answer: Scalars['String']['output'];
  answerBody?: Maybe<Scalars['JSON']['output']>;
  answerType: KnowledgeAnswerType;
  category?: Maybe<KnowledgeCategory>;
  categoryId?: Maybe<Scalars['ID']['output']>;
  /** The category path as stored with the entry. */
  categoryPath?: Maybe<Scalars['String']['output']>;
  createdAt: Scalars['DateTime']['output'];
  enabled: Scalars['Boolean']['output'];
  id: Scalars['ID']['output'];
  /** URL patterns of the pages the entry belongs to: self-service shows it under 猜你想问 there. `*` is a wildcard; "/path*" matches path and query, "host/path*" adds the host, a pattern with "://" the whole URL. */
  pagePatterns: Array<Scalars['String']['output']>;
  question: Scalars['String']['output'];
  /** Every version, newest first. */
  revisions: Array<KnowledgeRevision>;
  updatedAt: Scalars['DateTime']['output'];
  updatedById?: Maybe<Scalars['ID']['output']>;
  variants: Array<Scalars['String']['output']>;
  version: Scalars['Int']['output'];
  visibility: KnowledgeVisibility;
};


/** A knowledge entry: a standard question, its variants and the answer. `answer` is the plain text the bot sends; `answerType`/`answerBody` hold the rich form. */
export type KnowledgeEntryRevisionsArgs = {
  limit?: InputMaybe<Scalars['Int']['input']>;
};

export type KnowledgeEntryPage = {
  items: Array<KnowledgeEntry>;
  total: Scalars['Int']['output'];
};

export type KnowledgeFileEncoding =
  | 'GB18030'
  | 'UTF_8';

export type KnowledgeFormat =
  | 'CSV'
  | 'JSON';

/** A knowledge import run: progress, counters and the per-row errors (rows with errors are not written). */
export type KnowledgeImport = {
  created: Scalars['Int']['output'];
  createdAt: Scalars['DateTime']['output'];
  createdById?: Maybe<Scalars['ID']['output']>;
  /** Errors found (a row can have several). */
  errorCount: Scalars['Int']['output'];
  /** Per-row errors in row order (the first 5,000 are kept). */
  errors: Array<KnowledgeImportError>;
  /** Rows not written because of errors (processed − created − updated − skipped). */
  failedRows: Scalars['Int']['output'];
  finishedAt?: Maybe<Scalars['DateTime']['output']>;
  format: Scalars['String']['output'];
  id: Scalars['ID']['output'];
  /** Why the whole import failed, when it did. */
  message?: Maybe<Scalars['String']['output']>;
  mode: Scalars['String']['output'];
  processed: Scalars['Int']['output'];
  /** processed / total (0..1). */
  progress: Scalars['Float']['output'];
  /** Existing entries left alone (mode skip) or unchanged (mode upsert). */
  skipped: Scalars['Int']['output'];
  startedAt?: Maybe<Scalars['DateTime']['output']>;
  status: KnowledgeImportStatus;
  total: Scalars['Int']['output'];
  updated: Scalars['Int']['output'];
};


/** A knowledge import run: progress, counters and the per-row errors (rows with errors are not written). */
export type KnowledgeImportErrorsArgs = {
  limit?: InputMaybe<Scalars['Int']['input']>;
  offset?: InputMaybe<Scalars['Int']['input']>;
};

export type KnowledgeImportError = {
  field?: Maybe<Scalars['String']['output']>;
  message: Scalars['String']['output'];
  /** CSV: the spreadsheet row (header = 1); JSON: the 1-based array index. */
  row: Scalars['Int']['output'];
};

export type KnowledgeImportMode =
  /** Leave existing entries alone */
  | 'skip'
  /** Update entries whose question exists (a new version when the content differs) */
  | 'upsert';

export type KnowledgeImportStatus =
  | 'completed'
  | 'failed'
  | 'queued'
  | 'running';

/** One immutable version of a knowledge entry. */
export type KnowledgeRevision = {
  /** create | update | restore | import */
  action: Scalars['String']['output'];
  authorId?: Maybe<Scalars['ID']['output']>;
  createdAt: Scalars['DateTime']['output'];
  entryId: Scalars['ID']['output'];
  id: Scalars['ID']['output'];
  /** question, variants, answer, answerType, answerBody, visibility, categoryId, category, enabled */
  snapshot: Scalars['JSON']['output'];
  version: Scalars['Int']['output'];
};

export type KnowledgeVisibility =
  | 'internal'
  | 'public';

export type LocalizedText = {
  en: Scalars['String']['output'];
  zhCN: Scalars['String']['output'];
};

/** One message. `seq` orders messages within their conversation. */
export type Message = {
  body: Scalars['JSON']['output'];
  clientMessageId?: Maybe<Scalars['String']['output']>;
  conversationId: Scalars['ID']['output'];
  createdAt: Scalars['String']['output'];
  id: Scalars['ID']['output'];
  recalledAt?: Maybe<Scalars['String']['output']>;
  senderId?: Maybe<Scalars['ID']['output']>;
  senderType: Scalars['String']['output'];
  seq: Scalars['Int']['output'];
  type: Scalars['String']['output'];
};

export type Mutation = {
  /** The receiving agent accepts (takes one of their chat slots: NO_FREE_SLOT when they have none, and the offer stays pending) or declines (optional reason) a pending offer. */
  answerTransfer: ConversationTransfer;
  /** A supervisor assigns an offline message to an agent (or an agent takes it: agentId = self). */
  assignOfflineMessage: OfflineMessage;
  /** The sending agent (or a supervisor) withdraws a pending transfer offer; the chat stays with the sender. */
  cancelTransfer: ConversationTransfer;
  /** Changes the own password; every other token of the user is revoked, a new session is returned. */
  changePassword: Session;
  /** Closes the conversation (the assigned agent, a supervisor, or the visitor); the survey follows if the flow has one. */
  closeConversation: Conversation;
  configurePlugin: PluginInstallation;
  createApiKey: CreatedApiKey;
  createChannel: Channel;
  createDepartment: Department;
  createKnowledgeCategory: KnowledgeCategory;
  createKnowledgeEntry: KnowledgeEntry;
  createSkillGroup: SkillGroup;
  createUser: User;
  deleteCannedReply: Scalars['Boolean']['output'];
  /** Disables a channel and removes it from lists (conversations keep their history). */
  deleteChannel: Scalars['Boolean']['output'];
  /** Deletes an empty department (no users, skill groups or sub-departments). */
  deleteDepartment: Scalars['Boolean']['output'];
  /** Deletes an empty category (CONFLICT while it has sub-categories or entries). */
  deleteKnowledgeCategory: Scalars['Boolean']['output'];
  /** Deletes an entry (its revisions stay in the history). With expectedVersion: CONFLICT when it changed since. */
  deleteKnowledgeEntry: Scalars['Boolean']['output'];
  deleteSkillGroup: Scalars['Boolean']['output'];
  exampleAddNote: ExampleNote;
  /** Starts an import (a background job) and returns it at once; poll knowledgeImport(id) for progress and per-row errors. Send the file as `content` (text) or as `contentBase64` (its bytes; `encoding` UTF_8 or GB18030). */
  importKnowledge: KnowledgeImport;
  installPlugin: PluginInstallation;
  /** The visitor leaves a message (留言) when no agent can take the chat; it goes to the pool. */
  leaveOfflineMessage: OfflineMessage;
  /** Signs a user in with workspace slug, e-mail and password. */
  login: Session;
  /** Revokes every token of the signed-in user. */
  logoutEverywhere: Scalars['Boolean']['output'];
  /** Read receipt: everything up to `seq` has been read by the caller’s side. */
  markRead: Conversation;
  /** Publishes a version: conversations started from now on run it; running ones keep theirs. */
  publishFlowVersion: Flow;
  /** The visitor marks a bot answer in their conversation useful or not useful; "not useful" may hand them to a human (transfer rule `not_useful`). Idempotent. */
  rateBotAnswer: Message;
  /** The visitor rates the closed conversation (1–5 stars, optional comment). */
  rateConversation: Conversation;
  /** A supervisor moves a conversation to a named agent (no accept step; the agent must be online with a free slot) or a skill group's queue. A waiting conversation can be pulled from its queue to a named agent. */
  reassignConversation: ConversationTransfer;
  /** Recalls (撤回) one of your own messages within 2 minutes. */
  recallMessage: Message;
  /** Answers an offline message; the reply is delivered into the customer's conversation on their channel. */
  replyOfflineMessage: OfflineMessage;
  /** Sets a user's password (admin); revokes the user's tokens. */
  resetUserPassword: User;
  /** Makes an old revision's content current again, as a new version (history is never rewritten). */
  restoreKnowledgeRevision: KnowledgeEntry;
  revokeApiKey: ApiKey;
  saveCannedReply: CannedReply;
  /** Validates a definition and stores it as the next (unpublished) version of the flow; creates the flow if `flowId` is omitted. */
  saveFlowVersion: FlowVersion;
  /** Sends a message as the visitor, or as the assigned agent. The same clientMessageId twice is one message. */
  sendMessage: Message;
  /** Typing indicator; a visitor may send a preview of what they type (预读), shown to the agent only. */
  sendTyping: Scalars['Boolean']['output'];
  /** Sets the synonyms of a term (replacing its list); an empty list removes the term. Takes effect at once. */
  setFaqBotSynonyms?: Maybe<FaqBotSynonym>;
  /** Sets the signed-in agent’s status. online: new chats; busy: none, keeps held chats, refuses transfer offers; away: as busy, held chats requeued after the workspace’s awayRequeueAfterSec; offline: held chats requeued at once. */
  setMyStatus: AgentProfile;
  setPluginEnabled: PluginInstallation;
  /** Creates a workspace and its first admin, and signs that admin in (disabled with KEFU_ALLOW_SIGNUP=false). */
  signUpWorkspace: Session;
  /** Starts the visitor's conversation (or returns the one still open) with the pages seen before it. */
  startConversation: Conversation;
  /** Starts (or resumes, with the same visitorId) an anonymous visitor on a channel; with a signed `identity`, the identified customer `user:<externalId>` (same customer from any browser). */
  startVisitorSession: VisitorSession;
  /** The assigned agent transfers the conversation with a note: to an online colleague as an offer (pending until they accept; the chat stays with you), or to a skill group (requeued at once). */
  transferConversation: ConversationTransfer;
  /** Removes the plugin from this workspace (the plugin's own data tables are kept). */
  uninstallPlugin: Scalars['Boolean']['output'];
  /** Sets an agent's capacity and skill groups (creates the profile when the user has none). */
  updateAgentProfile: AgentProfile;
  /** Sets how long an agent may be away before their held chats go back to their queues (1 s to 1 day; default 300). */
  updateAgentStatusPolicy: Workspace;
  updateChannel: Channel;
  /** Sets a customer's tags and/or attributes (each replaced as a whole when given). CRM connectors use an API key with customers:write. */
  updateCustomer: Customer;
  updateDepartment: Department;
  /** Renames, moves (parentId; null = to the root) or re-sorts a category. */
  updateKnowledgeCategory: KnowledgeCategory;
  /** Changes the given fields as a new version. `expectedVersion` is the version the editor started from: CONFLICT when the entry moved on since. Unchanged content makes no new version. */
  updateKnowledgeEntry: KnowledgeEntry;
  updateSkillGroup: SkillGroup;
  /** Sets a skill group's routing policy. Validated as a whole (schema, strategies and rules enabled here, overflow chain without a loop); nothing is saved on error (BAD_USER_INPUT with `issues`). */
  updateSkillGroupRouting: SkillGroup;
  /** Changing roles or disabling a user revokes their existing tokens. */
  updateUser: User;
  updateWorkspace: Workspace;
};


export type MutationAnswerTransferArgs = {
  accept: Scalars['Boolean']['input'];
  reason?: InputMaybe<Scalars['String']['input']>;
  transferId: Scalars['ID']['input'];
};


export type MutationAssignOfflineMessageArgs = {
  agentId: Scalars['ID']['input'];
  id: Scalars['ID']['input'];
};


export type MutationCancelTransferArgs = {
  reason?: InputMaybe<Scalars['String']['input']>;
  transferId: Scalars['ID']['input'];
};


export type MutationChangePasswordArgs = {
  currentPassword: Scalars['String']['input'];
  newPassword: Scalars['String']['input'];
};


export type MutationCloseConversationArgs = {
  conversationId: Scalars['ID']['input'];
  reason?: InputMaybe<Scalars['String']['input']>;
};


export type MutationConfigurePluginArgs = {
  config: Scalars['JSON']['input'];
  id: Scalars['ID']['input'];
};


export type MutationCreateApiKeyArgs = {
  name: Scalars['String']['input'];
  scopes: Array<ApiScope>;
};


export type MutationCreateChannelArgs = {
  config?: InputMaybe<Scalars['JSON']['input']>;
  kind: Scalars['String']['input'];
  name: Scalars['String']['input'];
};


export type MutationCreateDepartmentArgs = {
  name: Scalars['String']['input'];
  parentId?: InputMaybe<Scalars['ID']['input']>;
};


export type MutationCreateKnowledgeCategoryArgs = {
  name: Scalars['String']['input'];
  parentId?: InputMaybe<Scalars['ID']['input']>;
  sort?: InputMaybe<Scalars['Int']['input']>;
};


export type MutationCreateKnowledgeEntryArgs = {
  answer?: InputMaybe<Scalars['String']['input']>;
  answerBody?: InputMaybe<Scalars['JSON']['input']>;
  answerType?: InputMaybe<KnowledgeAnswerType>;
  categoryId?: InputMaybe<Scalars['ID']['input']>;
  enabled?: InputMaybe<Scalars['Boolean']['input']>;
  pagePatterns?: InputMaybe<Array<Scalars['String']['input']>>;
  question: Scalars['String']['input'];
  variants?: InputMaybe<Array<Scalars['String']['input']>>;
  visibility?: InputMaybe<KnowledgeVisibility>;
};


export type MutationCreateSkillGroupArgs = {
  departmentId?: InputMaybe<Scalars['ID']['input']>;
  description?: InputMaybe<Scalars['String']['input']>;
  name: Scalars['String']['input'];
};


export type MutationCreateUserArgs = {
  departmentId?: InputMaybe<Scalars['ID']['input']>;
  email: Scalars['String']['input'];
  maxConcurrentChats?: InputMaybe<Scalars['Int']['input']>;
  name: Scalars['String']['input'];
  password: Scalars['String']['input'];
  roles: Array<Role>;
};


export type MutationDeleteCannedReplyArgs = {
  id: Scalars['ID']['input'];
};


export type MutationDeleteChannelArgs = {
  id: Scalars['ID']['input'];
};


export type MutationDeleteDepartmentArgs = {
  id: Scalars['ID']['input'];
};


export type MutationDeleteKnowledgeCategoryArgs = {
  id: Scalars['ID']['input'];
};


export type MutationDeleteKnowledgeEntryArgs = {
  expectedVersion?: InputMaybe<Scalars['Int']['input']>;
  id: Scalars['ID']['input'];
};


export type MutationDeleteSkillGroupArgs = {
  id: Scalars['ID']['input'];
};


export type MutationExampleAddNoteArgs = {
  text: Scalars['String']['input'];
};


export type MutationImportKnowledgeArgs = {
  content?: InputMaybe<Scalars['String']['input']>;
  contentBase64?: InputMaybe<Scalars['String']['input']>;
  encoding?: InputMaybe<KnowledgeFileEncoding>;
  format: KnowledgeFormat;
  mode?: InputMaybe<KnowledgeImportMode>;
};


export type MutationInstallPluginArgs = {
  config?: InputMaybe<Scalars['JSON']['input']>;
  name: Scalars['String']['input'];
};


export type MutationLeaveOfflineMessageArgs = {
  content: Scalars['String']['input'];
  conversationId: Scalars['ID']['input'];
  email?: InputMaybe<Scalars['String']['input']>;
  name?: InputMaybe<Scalars['String']['input']>;
  phone?: InputMaybe<Scalars['String']['input']>;
};


export type MutationLoginArgs = {
  email: Scalars['String']['input'];
  password: Scalars['String']['input'];
  workspace: Scalars['String']['input'];
};


export type MutationMarkReadArgs = {
  conversationId: Scalars['ID']['input'];
  seq: Scalars['Int']['input'];
};


export type MutationPublishFlowVersionArgs = {
  versionId: Scalars['ID']['input'];
};


export type MutationRateBotAnswerArgs = {
  messageId: Scalars['ID']['input'];
  useful: Scalars['Boolean']['input'];
};


export type MutationRateConversationArgs = {
  comment?: InputMaybe<Scalars['String']['input']>;
  conversationId: Scalars['ID']['input'];
  stars: Scalars['Int']['input'];
};


export type MutationReassignConversationArgs = {
  conversationId: Scalars['ID']['input'];
  note?: InputMaybe<Scalars['String']['input']>;
  toAgentId?: InputMaybe<Scalars['ID']['input']>;
  toSkillGroupId?: InputMaybe<Scalars['ID']['input']>;
};


export type MutationRecallMessageArgs = {
  messageId: Scalars['ID']['input'];
};


export type MutationReplyOfflineMessageArgs = {
  id: Scalars['ID']['input'];
  text: Scalars['String']['input'];
};


export type MutationResetUserPasswordArgs = {
  id: Scalars['ID']['input'];
  password: Scalars['String']['input'];
};


export type MutationRestoreKnowledgeRevisionArgs = {
  expectedVersion?: InputMaybe<Scalars['Int']['input']>;
  revisionId: Scalars['ID']['input'];
};


export type MutationRevokeApiKeyArgs = {
  id: Scalars['ID']['input'];
};


export type MutationSaveCannedReplyArgs = {
  id?: InputMaybe<Scalars['ID']['input']>;
  shortcut?: InputMaybe<Scalars['String']['input']>;
  template: Scalars['String']['input'];
  title: Scalars['String']['input'];
};


export type MutationSaveFlowVersionArgs = {
  definition: Scalars['JSON']['input'];
  flowId?: InputMaybe<Scalars['ID']['input']>;
  name?: InputMaybe<Scalars['String']['input']>;
};


export type MutationSendMessageArgs = {
  body: Scalars['JSON']['input'];
  clientMessageId?: InputMaybe<Scalars['String']['input']>;
  conversationId: Scalars['ID']['input'];
  type: Scalars['String']['input'];
};


export type MutationSendTypingArgs = {
  conversationId: Scalars['ID']['input'];
  preview?: InputMaybe<Scalars['String']['input']>;
};


export type MutationSetFaqBotSynonymsArgs = {
  synonyms: Array<Scalars['String']['input']>;
  term: Scalars['String']['input'];
};


export type MutationSetMyStatusArgs = {
  status: AgentStatus;
};


export type MutationSetPluginEnabledArgs = {
  enabled: Scalars['Boolean']['input'];
  id: Scalars['ID']['input'];
};


export type MutationSignUpWorkspaceArgs = {
  adminEmail: Scalars['String']['input'];
  adminName: Scalars['String']['input'];
  adminPassword: Scalars['String']['input'];
  name: Scalars['String']['input'];
  slug: Scalars['String']['input'];
};


export type MutationStartConversationArgs = {
  trail?: InputMaybe<Array<TrailEntryInput>>;
};


export type MutationStartVisitorSessionArgs = {
  channelKey: Scalars['String']['input'];
  displayName?: InputMaybe<Scalars['String']['input']>;
  identity?: InputMaybe<VisitorIdentityInput>;
  visitorId?: InputMaybe<Scalars['String']['input']>;
};


export type MutationTransferConversationArgs = {
  conversationId: Scalars['ID']['input'];
  note?: InputMaybe<Scalars['String']['input']>;
  toAgentId?: InputMaybe<Scalars['ID']['input']>;
  toSkillGroupId?: InputMaybe<Scalars['ID']['input']>;
};


export type MutationUninstallPluginArgs = {
  id: Scalars['ID']['input'];
};


export type MutationUpdateAgentProfileArgs = {
  maxConcurrentChats?: InputMaybe<Scalars['Int']['input']>;
  skills?: InputMaybe<Array<AgentSkillInput>>;
  userId: Scalars['ID']['input'];
};


export type MutationUpdateAgentStatusPolicyArgs = {
  awayRequeueAfterSec: Scalars['Int']['input'];
};


export type MutationUpdateChannelArgs = {
  config?: InputMaybe<Scalars['JSON']['input']>;
  enabled?: InputMaybe<Scalars['Boolean']['input']>;
  id: Scalars['ID']['input'];
  name?: InputMaybe<Scalars['String']['input']>;
};


export type MutationUpdateCustomerArgs = {
  attributes?: InputMaybe<Scalars['JSON']['input']>;
  id: Scalars['ID']['input'];
  tags?: InputMaybe<Array<Scalars['String']['input']>>;
};


export type MutationUpdateDepartmentArgs = {
  id: Scalars['ID']['input'];
  name: Scalars['String']['input'];
  parentId?: InputMaybe<Scalars['ID']['input']>;
};


export type MutationUpdateKnowledgeCategoryArgs = {
  id: Scalars['ID']['input'];
  name?: InputMaybe<Scalars['String']['input']>;
  parentId?: InputMaybe<Scalars['ID']['input']>;
  sort?: InputMaybe<Scalars['Int']['input']>;
};


export type MutationUpdateKnowledgeEntryArgs = {
  answer?: InputMaybe<Scalars['String']['input']>;
  answerBody?: InputMaybe<Scalars['JSON']['input']>;
  answerType?: InputMaybe<KnowledgeAnswerType>;
  categoryId?: InputMaybe<Scalars['ID']['input']>;
  enabled?: InputMaybe<Scalars['Boolean']['input']>;
  expectedVersion: Scalars['Int']['input'];
  id: Scalars['ID']['input'];
  pagePatterns?: InputMaybe<Array<Scalars['String']['input']>>;
  question?: InputMaybe<Scalars['String']['input']>;
  variants?: InputMaybe<Array<Scalars['String']['input']>>;
  visibility?: InputMaybe<KnowledgeVisibility>;
};


export type MutationUpdateSkillGroupArgs = {
  departmentId?: InputMaybe<Scalars['ID']['input']>;
  description?: InputMaybe<Scalars['String']['input']>;
  id: Scalars['ID']['input'];
  name: Scalars['String']['input'];
};


export type MutationUpdateSkillGroupRoutingArgs = {
  id: Scalars['ID']['input'];
  policy: Scalars['JSON']['input'];
};


export type MutationUpdateUserArgs = {
  departmentId?: InputMaybe<Scalars['ID']['input']>;
  disabled?: InputMaybe<Scalars['Boolean']['input']>;
  id: Scalars['ID']['input'];
  name?: InputMaybe<Scalars['String']['input']>;
  roles?: InputMaybe<Array<Role>>;
};


export type MutationUpdateWorkspaceArgs = {
  locale?: InputMaybe<Scalars['String']['input']>;
  name?: InputMaybe<Scalars['String']['input']>;
  timezone?: InputMaybe<Scalars['String']['input']>;
};

/** A message left when no agent could take the chat (留言). */
export type OfflineMessage = {
  assigneeId?: Maybe<Scalars['ID']['output']>;
  channelId: Scalars['ID']['output'];
  contact: Scalars['JSON']['output'];
  content: Scalars['String']['output'];
  conversationId: Scalars['ID']['output'];
  createdAt: Scalars['DateTime']['output'];
  customerId: Scalars['ID']['output'];
  id: Scalars['ID']['output'];
  reason: Scalars['String']['output'];
  repliedAt?: Maybe<Scalars['DateTime']['output']>;
  reply?: Maybe<Scalars['String']['output']>;
  status: Scalars['String']['output'];
};

export type PluginInstallation = {
  config: Scalars['JSON']['output'];
  createdAt: Scalars['DateTime']['output'];
  enabled: Scalars['Boolean']['output'];
  id: Scalars['ID']['output'];
  lastError?: Maybe<Scalars['String']['output']>;
  lastErrorAt?: Maybe<Scalars['DateTime']['output']>;
  pluginName: Scalars['String']['output'];
  updatedAt: Scalars['DateTime']['output'];
};

export type Query = {
  agent: AgentProfile;
  /** Agents of the workspace (a supervisor's: of their departments). */
  agents: Array<AgentProfile>;
  apiKeys: Array<ApiKey>;
  /** Agent assist (智能助手): the 5 enabled knowledge entries (internal and public) that best match `text` — or, when it is empty, the conversation's latest customer message. */
  assistSuggestions: Array<AssistSuggestion>;
  auditLog: Array<AuditLogEntry>;
  availablePlugins: Array<AvailablePlugin>;
  /** Bot metrics per day (workspace time zone) and channel over [from, to): questions, recall, smart-resolution and transfer rates. A supervisor's count only their departments' conversations. */
  botMetrics: BotMetrics;
  cannedReplies: Array<CannedReply>;
  channel: Channel;
  channels: Array<Channel>;
  conversation: Conversation;
  /** Conversations of the workspace (a supervisor's: of their departments), newest first, filtered by status and assignee. */
  conversations: Array<Conversation>;
  department: Department;
  /** The workspace's departments (a supervisor's: their own and the ones below it). */
  departments: Array<Department>;
  exampleNotes: Array<ExampleNote>;
  /** The knowledge base as a file. CSV columns: category, question, variants (separated by "|"), answer, visibility, answerType, answerBody (JSON), enabled; JSON: an array of objects with the same keys. */
  exportKnowledge: Scalars['String']['output'];
  /** The workspace's FAQ-bot synonyms (on top of the built-in ones), by term. */
  faqBotSynonyms: Array<FaqBotSynonym>;
  flow: Flow;
  /** The node palette: built-in and plugin node types with their config schemas and outcomes. */
  flowNodeTypes: Array<FlowNodeType>;
  flows: Array<Flow>;
  /** Hub nodes in this Moleculer namespace and the services each runs. */
  hubNodes: Array<HubNode>;
  /** All categories (a flat list: build the tree from parentId), ordered by sort then name. */
  knowledgeCategories: Array<KnowledgeCategory>;
  /** Entries, most recently changed first. `search` looks in questions, variants and answers; agents see enabled entries only. */
  knowledgeEntries: KnowledgeEntryPage;
  knowledgeEntry: KnowledgeEntry;
  knowledgeImport: KnowledgeImport;
  /** Recent imports, newest first. */
  knowledgeImports: Array<KnowledgeImport>;
  /** The signed-in user. */
  me: User;
  /** The offline-message pool (a supervisor's: of their departments), oldest first. */
  offlineMessages: Array<OfflineMessage>;
  pluginInstallation: PluginInstallation;
  pluginInstallations: Array<PluginInstallation>;
  /** Who waits in a skill group's queue (null: the default queue), in routing order, with the priority that placed them. */
  queuePreview: Array<QueuedCustomer>;
  /** A canned reply rendered for one conversation (customer, agent and workspace variables filled in). */
  renderCannedReply: Scalars['String']['output'];
  /** Strategies (the core's `balanced` and those of plugins) and customer-priority rules skill groups can use. */
  routingCatalog: Array<RoutingContribution>;
  /** The decision log, newest first (a supervisor: decisions in the skill groups of their departments). */
  routingDecisions: Array<RoutingDecision>;
  /** Self-service for the page the visitor is on. With a visitor token: the token's channel (or, with `conversationId` and `nodeId`, that `self_service` node of the visitor's conversation); without one: the channel `channelKey` (anonymous, public content only: the widget shows guide bubbles before any chat starts). Null when the channel has no `config.selfService` or it is disabled. */
  selfService?: Maybe<SelfService>;
  /** Replays the customers who queued in [from, to) and the agents' recorded status, capacity and skill groups against proposed routing policies, beside the current ones, before publishing a change. `policies` maps skill group id → proposed policy (the shape of updateSkillGroupRouting); each is validated as updateSkillGroupRouting does, and any problem is BAD_USER_INPUT with `issues` (paths start with the group id), nothing run. At most 7 days and 50,000 customers (BAD_USER_INPUT beyond); one simulation per workspace at a time (CONFLICT). A supervisor names groups of their departments only, and sees figures for those groups and their members. Model: recorded handle times and patience (queue timeout), decisions by the live routing code; see core/routing/simulate.ts. */
  simulateRouting: RoutingSimulation;
  skillGroup: SkillGroup;
  /** The workspace's skill groups (a supervisor's: those of their departments). */
  skillGroups: Array<SkillGroup>;
  /** Pending transfer offers to the signed-in agent (转给我的), oldest first. */
  transferOffers: Array<ConversationTransfer>;
  transferRuleTypes: Array<TransferRuleType>;
  user: User;
  /** Users of the workspace (a supervisor's: the members of their departments, and themselves). */
  users: Array<User>;
  /** The visitor's conversation that has not ended, if any (the widget resumes it). */
  visitorConversation?: Maybe<Conversation>;
  /** The calling visitor (token is not echoed back). */
  visitorSession: VisitorSession;
  /** The caller's workspace. */
  workspace: Workspace;
};


export type QueryAgentArgs = {
  id: Scalars['ID']['input'];
};


export type QueryAgentsArgs = {
  status?: InputMaybe<AgentStatus>;
};


export type QueryAssistSuggestionsArgs = {
  conversationId: Scalars['ID']['input'];
  limit?: InputMaybe<Scalars['Int']['input']>;
  text?: InputMaybe<Scalars['String']['input']>;
};


export type QueryAuditLogArgs = {
  action?: InputMaybe<Scalars['String']['input']>;
  limit?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryBotMetricsArgs = {
  channelId?: InputMaybe<Scalars['ID']['input']>;
  from: Scalars['DateTime']['input'];
  to: Scalars['DateTime']['input'];
};


export type QueryChannelArgs = {
  id: Scalars['ID']['input'];
};


export type QueryConversationArgs = {
  id: Scalars['ID']['input'];
};


export type QueryConversationsArgs = {
  assigneeId?: InputMaybe<Scalars['ID']['input']>;
  limit?: InputMaybe<Scalars['Int']['input']>;
  mine?: InputMaybe<Scalars['Boolean']['input']>;
  status?: InputMaybe<Array<Scalars['String']['input']>>;
};


export type QueryDepartmentArgs = {
  id: Scalars['ID']['input'];
};


export type QueryExportKnowledgeArgs = {
  categoryId?: InputMaybe<Scalars['ID']['input']>;
  format: KnowledgeFormat;
  visibility?: InputMaybe<KnowledgeVisibility>;
};


export type QueryFlowArgs = {
  id: Scalars['ID']['input'];
};


export type QueryKnowledgeEntriesArgs = {
  categoryId?: InputMaybe<Scalars['ID']['input']>;
  enabled?: InputMaybe<Scalars['Boolean']['input']>;
  includeSubcategories?: InputMaybe<Scalars['Boolean']['input']>;
  limit?: InputMaybe<Scalars['Int']['input']>;
  offset?: InputMaybe<Scalars['Int']['input']>;
  search?: InputMaybe<Scalars['String']['input']>;
  visibility?: InputMaybe<KnowledgeVisibility>;
};


export type QueryKnowledgeEntryArgs = {
  id: Scalars['ID']['input'];
};


export type QueryKnowledgeImportArgs = {
  id: Scalars['ID']['input'];
};


export type QueryKnowledgeImportsArgs = {
  limit?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryOfflineMessagesArgs = {
  mine?: InputMaybe<Scalars['Boolean']['input']>;
  status?: InputMaybe<Array<Scalars['String']['input']>>;
};


export type QueryPluginInstallationArgs = {
  id: Scalars['ID']['input'];
};


export type QueryQueuePreviewArgs = {
  skillGroupId?: InputMaybe<Scalars['ID']['input']>;
};


export type QueryRenderCannedReplyArgs = {
  conversationId: Scalars['ID']['input'];
  id: Scalars['ID']['input'];
};


export type QueryRoutingDecisionsArgs = {
  agentId?: InputMaybe<Scalars['ID']['input']>;
  conversationId?: InputMaybe<Scalars['ID']['input']>;
  kind?: InputMaybe<RoutingDecisionKind>;
  limit?: InputMaybe<Scalars['Int']['input']>;
  since?: InputMaybe<Scalars['DateTime']['input']>;
  skillGroupId?: InputMaybe<Scalars['ID']['input']>;
};


export type QuerySelfServiceArgs = {
  channelKey?: InputMaybe<Scalars['String']['input']>;
  conversationId?: InputMaybe<Scalars['ID']['input']>;
  nodeId?: InputMaybe<Scalars['String']['input']>;
  pageTitle?: InputMaybe<Scalars['String']['input']>;
  pageUrl?: InputMaybe<Scalars['String']['input']>;
};


export type QuerySimulateRoutingArgs = {
  from: Scalars['DateTime']['input'];
  policies: Scalars['JSON']['input'];
  to: Scalars['DateTime']['input'];
};


export type QuerySkillGroupArgs = {
  id: Scalars['ID']['input'];
};


export type QueryUserArgs = {
  id: Scalars['ID']['input'];
};


export type QueryUsersArgs = {
  includeDisabled?: InputMaybe<Scalars['Boolean']['input']>;
  role?: InputMaybe<Role>;
};

/** A waiting customer with the place routing gives them and why. */
export type QueuedCustomer = {
  /** How far ahead of their arrival the priority rules place them. */
  advanceSec: Scalars['Float']['output'];
  conversationId: Scalars['ID']['output'];
  estimatedWaitSec?: Maybe<Scalars['Int']['output']>;
  position: Scalars['Int']['output'];
  /** Each priority rule that counted: rule, points, weight, advanceSec, reason. */
  terms: Scalars['JSON']['output'];
  /** Time in this group (overflow counts from here). */
  waitedInGroupSec: Scalars['Int']['output'];
  waitedSec: Scalars['Int']['output'];
};

export type Role =
  | 'admin'
  | 'agent'
  | 'operator'
  | 'supervisor';

/** A routing strategy or customer-priority rule that skill-group policies can use. */
export type RoutingContribution = {
  configJsonSchema: Scalars['JSON']['output'];
  /** Usable in this workspace: the core's, or its plugin is installed and enabled here. */
  enabled: Scalars['Boolean']['output'];
  /** `strategy` or `priority_rule`. */
  kind: Scalars['String']['output'];
  label: Scalars['JSON']['output'];
  name: Scalars['String']['output'];
  plugin: Scalars['String']['output'];
};

/** One routing decision with what it was made from (the decision log): why a customer went where. */
export type RoutingDecision = {
  agentId?: Maybe<Scalars['ID']['output']>;
  conversationId: Scalars['ID']['output'];
  decidedAt: Scalars['DateTime']['output'];
  /** queued: diversion, priority terms, overflow hops; assigned: the queue head, every candidate with load, capacity, level, rank and reason; overflowed/exited: why. */
  detail: Scalars['JSON']['output'];
  id: Scalars['ID']['output'];
  kind: RoutingDecisionKind;
  skillGroup?: Maybe<SkillGroup>;
  skillGroupId?: Maybe<Scalars['ID']['output']>;
  strategy?: Maybe<Scalars['String']['output']>;
  summary: Scalars['String']['output'];
};

export type RoutingDecisionKind =
  | 'assigned'
  | 'exited'
  | 'overflowed'
  | 'queued';

/** The recorded window replayed twice: with the current routing policies (baseline) and with the proposed ones. */
export type RoutingSimulation = {
  /** Agents replayed (a supervisor: the members of their departments). */
  agents: Scalars['Int']['output'];
  /** Customers who first queued in the window (a supervisor: in the groups of their departments). */
  arrivals: Scalars['Int']['output'];
  /** The current policies. A simulation report (JSON): `arrivals`, `assigned`; `abandoned` { total, timeout (queue timeout → offline message), full (every group on the chain full on arrival), closed (out of working hours), overflowExhausted (overflowed to the offline message), left (the customer closed the chat while waiting) }; `overflowed` (customers who overflowed at least once), `overflowMoves` (hops in all), `held` (customers a strategy held back at least once); `wait` { count, p50, p90, p99, max, mean } in seconds from joining the queue to assignment (assigned customers; null when none); `groups`: [{ skillGroupId (null = default queue), arrivals (started in the group), assigned, assignedHere (assigned from its queue, overflow included), abandoned {…}, overflowed, wait {…} }]; `agents`: [{ agentId, chats, busySlotSec (slot-seconds held while online), onlineSec, utilisation (busySlotSec ÷ capacity × online seconds; null if never online), maxConcurrent }]. */
  baseline: Scalars['JSON']['output'];
  /** The proposed policies (groups not named keep their current one); same shape as baseline. */
  proposed: Scalars['JSON']['output'];
};

/** Self-service (自助服务) for one page: 猜你想问, FAQ lists by category, business cards and guide bubbles. */
export type SelfService = {
  bubbles: Array<GuideBubble>;
  cards: Array<SelfServiceCard>;
  categories: Array<SelfServiceCategory>;
  guesses: Array<SelfServiceGuess>;
  title: Scalars['String']['output'];
};

/** A business card (名片/业务卡片). */
export type SelfServiceCard = {
  buttonLabel?: Maybe<Scalars['String']['output']>;
  description?: Maybe<Scalars['String']['output']>;
  imageUrl?: Maybe<Scalars['String']['output']>;
  title: Scalars['String']['output'];
  url?: Maybe<Scalars['String']['output']>;
};

/** A knowledge category with its public questions (sub-categories included), most answered first. */
export type SelfServiceCategory = {
  id: Scalars['ID']['output'];
  name: Scalars['String']['output'];
  questions: Array<SelfServiceQuestion>;
};

/** A 猜你想问 question, with why it is offered: `pinned`, `page:<pattern>`, `page-words:<coverage>`, `hot:<answers>`. */
export type SelfServiceGuess = {
  /** The knowledge entry (null: a pinned question that is no public entry). */
  entryId?: Maybe<Scalars['ID']['output']>;
  /** Bot answers with this entry in the hot window. */
  hits: Scalars['Int']['output'];
  question: Scalars['String']['output'];
  reasons: Array<Scalars['String']['output']>;
  /** 3 × page pattern + 2 × page-words coverage + hits / most hits (pinned: 0, always first). */
  score: Scalars['Float']['output'];
};

export type SelfServiceQuestion = {
  entryId: Scalars['ID']['output'];
  question: Scalars['String']['output'];
};

/** A signed-in user: bearer token (JWT) and its expiry. */
export type Session = {
  expiresAt: Scalars['DateTime']['output'];
  token: Scalars['String']['output'];
  user: SessionUser;
};

export type SessionUser = {
  email: Scalars['String']['output'];
  id: Scalars['ID']['output'];
  name: Scalars['String']['output'];
  roles: Array<Role>;
  workspaceId: Scalars['ID']['output'];
};

/** A queue of customers and the agents skilled to serve them (技能组). */
export type SkillGroup = {
  createdAt: Scalars['DateTime']['output'];
  department?: Maybe<Department>;
  departmentId?: Maybe<Scalars['ID']['output']>;
  description?: Maybe<Scalars['String']['output']>;
  id: Scalars['ID']['output'];
  /** The group's agents (for a supervisor: those of their departments). */
  members: Array<AgentSkill>;
  name: Scalars['String']['output'];
  /** Routing policy: strategy, priority rules with weights, maxChatsPerAgent, maxQueueLength, overflow, workingHours (defaults filled in). */
  routingPolicy: Scalars['JSON']['output'];
};

export type Subscription = {
  /** The signed-in agent's inbox: assignments and transfers to them, and queue changes of the workspace (a supervisor's: of their departments). */
  agentInbox: InboxEvent;
  /** Emits an agent's profile whenever its status changes. */
  agentProfileChanged: AgentProfile;
  /** Live events of one conversation. With `afterSeq`, missed messages are replayed first (resume from a cursor); messages arrive in seq order without duplicates. */
  conversationEvents: ConversationEvent;
  /** Live stream of the workspace's domain events (as published from the outbox). */
  workspaceEvents: HubEvent;
};


export type SubscriptionAgentProfileChangedArgs = {
  id: Scalars['ID']['input'];
};


export type SubscriptionConversationEventsArgs = {
  afterSeq?: InputMaybe<Scalars['Int']['input']>;
  conversationId: Scalars['ID']['input'];
};

export type SurveyResponse = {
  comment?: Maybe<Scalars['String']['output']>;
  createdAt: Scalars['DateTime']['output'];
  stars: Scalars['Int']['output'];
};

export type TrailEntryInput = {
  at: Scalars['String']['input'];
  title?: InputMaybe<Scalars['String']['input']>;
  url: Scalars['String']['input'];
};

export type TransferKind =
  | 'agent'
  | 'group'
  | 'reassign';

export type TransferRuleType = {
  configJsonSchema: Scalars['JSON']['output'];
  labelEn: Scalars['String']['output'];
  labelZh: Scalars['String']['output'];
  name: Scalars['String']['output'];
  plugin: Scalars['String']['output'];
};

export type TransferStatus =
  | 'accepted'
  | 'cancelled'
  | 'completed'
  | 'declined'
  | 'expired'
  | 'pending';

/** A person who signs in: admin, supervisor, agent or operator. */
export type User = {
  agentProfile?: Maybe<AgentProfile>;
  createdAt: Scalars['DateTime']['output'];
  department?: Maybe<Department>;
  departmentId?: Maybe<Scalars['ID']['output']>;
  disabled: Scalars['Boolean']['output'];
  email: Scalars['String']['output'];
  id: Scalars['ID']['output'];
  name: Scalars['String']['output'];
  roles: Array<Role>;
};

/** A visitor identified by the embedding site: `sig` is hex HMAC-SHA256 of `<externalId>:<ts>` with the channel's `config.identitySecret`; `ts` is Unix seconds, accepted for 24 hours. `name` and `email` are not signed: they only label the customer. */
export type VisitorIdentityInput = {
  email?: InputMaybe<Scalars['String']['input']>;
  externalId: Scalars['String']['input'];
  name?: InputMaybe<Scalars['String']['input']>;
  sig: Scalars['String']['input'];
  ts: Scalars['Float']['input'];
};

/** A widget visitor session: a server-generated token bound to one channel and one customer. */
export type VisitorSession = {
  channelId: Scalars['ID']['output'];
  customerId: Scalars['ID']['output'];
  expiresAt: Scalars['DateTime']['output'];
  /** The channel's public widget settings (title, subtitle, accentColor); never its secrets. */
  settings: Scalars['JSON']['output'];
  token: Scalars['String']['output'];
};

/** A tenant: every other object belongs to exactly one workspace. */
export type Workspace = {
  /** An agent away for this long has their held chats put back in their queues. */
  awayRequeueAfterSec: Scalars['Int']['output'];
  createdAt: Scalars['DateTime']['output'];
  id: Scalars['ID']['output'];
  locale: Scalars['String']['output'];
  name: Scalars['String']['output'];
  slug: Scalars['String']['output'];
  timezone: Scalars['String']['output'];
};

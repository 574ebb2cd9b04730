/**
 * Example plugin: exercises every contribution type of the plugin contract, and is the template the
 * scaffold copies. It keeps per-workspace "notes":
 *  - entity + migration: table plugin_example_note
 *  - Moleculer service: plugin.example (actions `echo`, `countNotes`)
 *  - Temporal activity: `greet` (renders the configured handlebars greeting and stores it as a note)
 *  - event handler: on `user.created`, writes a welcome note
 *  - GraphQL: query `exampleNotes`, mutation `exampleAddNote`
 */
import { definePlugin, defineEntity, p, z, type PluginRuntimeContext } from '@kefu-hub/plugin-sdk';
import { randomUUID } from 'node:crypto';

export const ExampleNoteSchema = defineEntity({
  name: 'ExampleNote',
  tableName: 'plugin_example_note',
  properties: {
    id: p.string().length(36).primary().onCreate(() => randomUUID()),
    workspaceId: p.string().length(36).index(),
    text: p.string().length(500),
    source: p.string().length(32),
    createdAt: p.datetime(3).onCreate(() => new Date()),
  },
});
export class ExampleNote extends ExampleNoteSchema.class {}
ExampleNoteSchema.setClass(ExampleNote);

const config = z.object({
  greeting: z.string().min(1).max(200).default('你好 {{name}}, welcome to {{workspace}}!'),
  maxNotes: z.number().int().min(1).max(10_000).default(1000),
});
type Config = z.output<typeof config>;

async function addNote(rt: PluginRuntimeContext<Config>, text: string, source: string): Promise<ExampleNote> {
  const count = await rt.em.count(ExampleNote, {});
  if (count >= rt.config.maxNotes) throw new Error(`note limit ${rt.config.maxNotes} reached`);
  const note = rt.em.create(ExampleNote, { workspaceId: rt.workspaceId, text, source });
  await rt.em.flush();
  return note;
}

export default definePlugin({
  name: 'example',
  version: '0.1.0',
  coreVersion: '^0.1.0',
  kinds: ['example'],
  displayName: { en: 'Example notes', 'zh-CN': '示例笔记' },
  description: { en: 'Shows every kind of plugin contribution.', 'zh-CN': '演示插件的全部扩展点。' },
  config,
  entities: [ExampleNoteSchema],
  migrations: [
    {
      name: '0001_create_note',
      up: [
        'create table `plugin_example_note` (`id` varchar(36) not null, `workspace_id` varchar(36) not null, `text` varchar(500) not null, `source` varchar(32) not null, `created_at` datetime(3) not null, primary key (`id`)) default character set utf8mb4 engine = InnoDB',
        'alter table `plugin_example_note` add index `plugin_example_note_workspace_id_index` (`workspace_id`)',
      ],
      down: ['drop table if exists `plugin_example_note`'],
    },
  ],
  services: ({ runtime }) => [
    {
      name: 'plugin.example',
      actions: {
        echo: {
          permissions: ['admin:read', 'agent', 'plugin'],
          handler: (ctx: { params: unknown }) => ({ echo: ctx.params }),
        },
        countNotes: {
          permissions: ['admin:read', 'agent', 'plugin'],
          handler: async (ctx: { meta: { workspaceId?: string } }) => {
            if (!ctx.meta.workspaceId) throw new Error('workspaceId missing in meta');
            const rt = await runtime(ctx.meta.workspaceId);
            return { count: await rt.em.count(ExampleNote, {}) };
          },
        },
      },
    },
  ],
  activities: {
    greet: async (input, rt) => {
      const { name, workspace } = z.object({ name: z.string(), workspace: z.string() }).parse(input);
      const text = rt.render(rt.config.greeting, { name, workspace });
      const note = await addNote(rt, text, 'activity');
      return { noteId: note.id, text };
    },
  },
  events: {
    'user.created': async (event, rt) => {
      const name = typeof event.payload.name === 'string' ? event.payload.name : 'someone';
      // Idempotent by event id: the outbox delivers at least once.
      const text = `welcome ${name} [${event.id}]`;
      if (await rt.em.count(ExampleNote, { text })) return;
      await addNote(rt, text, 'event');
    },
  },
  graphql: ({ builder, runtime }) => {
    const b = builder as any;
    const NoteRef = b.objectRef('ExampleNote').implement({
      authScopes: { $any: { user: true, apiScope: 'plugins:read' } },
      fields: (t: any) => ({
        id: t.exposeID('id'),
        text: t.exposeString('text'),
        source: t.exposeString('source'),
        createdAt: t.expose('createdAt', { type: 'DateTime' }),
      }),
    });
    b.queryField('exampleNotes', (t: any) =>
      t.field({
        type: [NoteRef],
        authScopes: { $any: { user: true, apiScope: 'plugins:read' } },
        resolve: async (_r: unknown, _a: unknown, ctx: unknown) => {
          const rt = await runtime(ctx);
          return rt.em.find(ExampleNote, {}, { orderBy: { createdAt: 'asc' } });
        },
      }),
    );
    b.mutationField('exampleAddNote', (t: any) =>
      t.field({
        type: NoteRef,
        authScopes: { $any: { role: 'agent', apiScope: 'plugins:write' } },
        args: { text: t.arg.string() },
        resolve: async (_r: unknown, args: { text: string }, ctx: unknown) => {
          const rt = await runtime(ctx);
          const text = z.string().trim().min(1).max(500).safeParse(args.text);
          if (!text.success) throw Object.assign(new Error('text must be 1–500 characters'), { extensions: { code: 'BAD_USER_INPUT' } });
          return addNote(rt, text.data, 'graphql');
        },
      }),
    );
  },
});

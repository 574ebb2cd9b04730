/**
 * Web widget channel (F3): one `<script>` tag puts a chat launcher and panel on any site.
 *
 *   GET /plugins/web-widget/widget.js   the widget (one self-contained vanilla JS file, see widget.js)
 *   GET /plugins/web-widget/demo        a demo shop page embedding it: ?channel=ch_… [&lang=en|zh]
 *
 * The widget talks to the public visitor API (startVisitorSession, startConversation, sendMessage, …,
 * subscription conversationEvents over graphql-ws), so this plugin only serves assets. Per-channel
 * settings live in the channel's `config` (title, subtitle, accentColor, and `identitySecret` for
 * HMAC-signed identified visitors — the secret never reaches the browser).
 */
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { definePlugin, z, type PluginHttpRequest, type PluginHttpResponse } from '@kefu-hub/plugin-sdk';
import { demoPage, missingChannelPage } from './demo.ts';

/**
 * Served form of widget.js: indentation, comment lines and trailing ` // …` comments removed (the
 * source keeps them). Safe for this file by convention: it has no multi-line string whose leading
 * spaces matter and no ` // ` inside a string.
 */
export function compactWidget(source: string): string {
  return source
    .split('\n')
    .map((line) => line.replace(/^\s+/, '').replace(/ \/\/ [^'"`]*$/, ''))
    .filter((line) => line && !/^(\/\/|\/\*|\*( |\/|$))/.test(line))
    .join('\n') + '\n';
}

const WIDGET_JS = compactWidget(readFileSync(new URL('./widget.js', import.meta.url), 'utf8'));
const WIDGET_GZ = gzipSync(WIDGET_JS, { level: 9 });
const WIDGET_ETAG = `"${createHash('sha256').update(WIDGET_JS).digest('base64url').slice(0, 20)}"`;
export const WIDGET_SIZE = Buffer.byteLength(WIDGET_JS);

const CHANNEL_KEY = /^ch_[A-Za-z0-9_-]{20}$/;

function widgetJs(req: PluginHttpRequest): PluginHttpResponse {
  const headers: Record<string, string> = {
    'content-type': 'application/javascript; charset=utf-8',
    'cache-control': 'public, max-age=300',
    etag: WIDGET_ETAG,
    vary: 'accept-encoding',
    'access-control-allow-origin': '*',
    'x-content-type-options': 'nosniff',
  };
  if (req.headers['if-none-match'] === WIDGET_ETAG) return { status: 304, headers };
  if (/\bgzip\b/.test(req.headers['accept-encoding'] ?? '')) return { headers: { ...headers, 'content-encoding': 'gzip' }, body: WIDGET_GZ };
  return { headers, body: WIDGET_JS };
}

export default definePlugin({
  name: 'web-widget',
  version: '0.1.0',
  coreVersion: '^0.1.0',
  kinds: ['channel'],
  displayName: { en: 'Web widget', 'zh-CN': '网页客服插件' },
  description: {
    en: 'Chat on your website with one <script> tag: anonymous or identified visitors, visitor trail, bot, queue, agent, survey and offline messages.',
    'zh-CN': '一行 <script> 把在线客服嵌入网站：匿名或已识别访客、访客轨迹、机器人、排队、人工、满意度评价与留言。',
  },
  // Settings are per channel (Channel.config), not per workspace installation.
  config: z.object({}),
  http: [
    { method: 'GET', path: '/widget.js', handler: widgetJs },
    {
      method: 'GET',
      path: '/demo',
      handler: (req) => {
        const channel = req.query.channel ?? '';
        const html = { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' };
        if (!CHANNEL_KEY.test(channel)) return { status: 400, headers: html, body: missingChannelPage() };
        const lang = req.query.lang === 'en' || req.query.lang === 'zh' ? req.query.lang : null;
        return { headers: html, body: demoPage({ channel, lang, page: req.query.page ?? 'home' }) };
      },
    },
  ],
});

/*
 * Kefu Hub web widget — one self-contained file, no dependencies, no build step.
 *
 *   <script src="https://hub.example/plugins/web-widget/widget.js" data-channel="ch_…" async></script>
 *   optional: data-identity='{"externalId":"u1","name":"…","email":"…","ts":1767225600,"sig":"<hex HMAC>"}'
 *             data-lang="zh|en" (default: navigator.language)
 *
 * Self-service (猜你想问, category lists, business cards, guide bubbles) comes from the `selfService`
 * query: anonymously for the channel on every page (bubbles show before any chat), and for a flow's
 * self_service node when its card arrives. Bot answers carry useful / not-useful buttons (rateBotAnswer).
 *
 * Transport: fetch POST /graphql for queries and mutations; the graphql-ws protocol spoken directly
 * over a WebSocket for `conversationEvents`. The event stream resumes with `afterSeq` = the highest
 * seq received on it, and every message is rendered once by seq, so a reconnect neither loses nor
 * repeats one. Outgoing messages carry a random clientMessageId and are retried until acknowledged
 * (the hub turns a repeated id into the same message).
 */
/* global window, document, navigator, localStorage, location, fetch, WebSocket, FileReader, DOMParser, Image, URL, crypto, setTimeout, clearTimeout, setInterval, clearInterval, console */
(function () {
  'use strict';
  const script = document.currentScript || document.querySelector('script[src*="/plugins/web-widget/widget.js"]');
  if (!script || window.__kefuHubWidget) return;
  const CHANNEL = script.getAttribute('data-channel') || '';
  if (!/^ch_[A-Za-z0-9_-]{20}$/.test(CHANNEL)) {
    console.warn('[kefu] widget: data-channel is missing or not a channel key');
    return;
  }
  window.__kefuHubWidget = true;

  const BASE = new URL(script.src, location.href).href.replace(/\/plugins\/web-widget\/widget\.js.*$/, '');
  const API = BASE + '/graphql';
  const WS_URL = API.replace(/^http/, 'ws');
  const MAX_FILE = 1024 * 1024;
  const TRAIL_MAX = 20;

  // ------------------------------------------------------------------ i18n
  const ZH = /^zh/i.test(script.getAttribute('data-lang') || navigator.language || '');
  const T = ZH ? {
    title: '在线客服', sub: '我们通常几分钟内回复', open: '在线客服', close: '收起', placeholder: '输入消息，Enter 发送', send: '发送',
    attach: '发送图片或文件', bot: '智能客服', agent: '客服', botSub: '智能客服为您服务', serving: (n) => `客服 ${n} 为您服务`,
    queued: (p, eta) => `正在排队，您当前排在第 ${p} 位${eta ? `，预计等待约 ${eta >= 120 ? `${Math.round(eta / 60)} 分钟` : `${Math.max(10, Math.round(eta / 10) * 10)} 秒`}` : ''}`, queuedNoPos: '正在为您转接人工客服，请稍候…', transfer: '正在为您转接人工客服…',
    joined: (n) => `客服 ${n} 已接入，为您服务`, typing: '客服正在输入…', read: '已读', sending: '发送中…',
    failed: '发送失败，点击重试', recalledMe: '你撤回了一条消息', recalledThem: '对方撤回了一条消息', recall: '撤回',
    didYouMean: '您是不是想问：', surveyTitle: '请为本次服务打分', comment: '还有什么想告诉我们的？（选填）', submit: '提交',
    surveyThanks: (s) => `感谢您的评价（${s} 星）！`, formClosed: '已结束', pickStars: '请先选择星级', check: '请检查填写的内容', offlineTitle: '现在是非工作时间，请留言，我们会尽快回复。',
    content: '留言内容', name: '您的称呼', contact: '手机号或邮箱', offlineThanks: '留言已提交，我们会尽快联系您。',
    closedByAgent: '客服已结束本次会话', closedByMe: '您已结束本次会话', closedAuto: '由于长时间没有消息，会话已自动结束',
    transferred: '已为您转接其他客服', ended: '会话已结束', newChat: '开始新的会话', reconnecting: '连接中断，正在重连…',
    tooBig: '文件不能超过 1 MB', error: '出错了，请稍后再试', required: '请填写留言内容', stars: (n) => `${n} 星`, brand: 'Kefu Hub 提供技术支持',
    useful: '有帮助', notUseful: '没帮助',
  } : {
    title: 'Customer service', sub: 'We usually reply in a few minutes', open: 'Chat with us', close: 'Minimise', placeholder: 'Type a message — Enter to send', send: 'Send',
    attach: 'Send an image or file', bot: 'Assistant', agent: 'Agent', botSub: 'Our assistant is here to help', serving: (n) => `${n} is helping you`,
    queued: (p, eta) => `You are number ${p} in the queue${eta ? ` — about ${eta >= 120 ? `${Math.round(eta / 60)} min` : `${Math.max(10, Math.round(eta / 10) * 10)} s`}` : ''}`, queuedNoPos: 'Connecting you to an agent…', transfer: 'Connecting you to an agent…',
    joined: (n) => `${n} joined the chat`, typing: 'Agent is typing…', read: 'Read', sending: 'Sending…',
    failed: 'Not sent — tap to retry', recalledMe: 'You recalled a message', recalledThem: 'A message was recalled', recall: 'Recall',
    didYouMean: 'Did you mean:', surveyTitle: 'Please rate this conversation', comment: 'Anything else? (optional)', submit: 'Submit',
    surveyThanks: (s) => `Thanks for your rating (${s} stars)!`, formClosed: 'Closed', pickStars: 'Please pick a rating first', check: 'Please check your entries', offlineTitle: 'We are away — please leave a message.',
    content: 'Your message', name: 'Your name', contact: 'Phone or e-mail', offlineThanks: 'Message received — we will get back to you soon.',
    closedByAgent: 'The agent ended the conversation', closedByMe: 'You ended the conversation', closedAuto: 'Closed after a period of inactivity',
    transferred: 'You have been transferred to another agent', ended: 'The conversation has ended', newChat: 'Start a new conversation', reconnecting: 'Connection lost, reconnecting…',
    tooBig: 'Files must be 1 MB or smaller', error: 'Something went wrong, please try again', required: 'Please enter a message', stars: (n) => `${n} stars`, brand: 'Powered by Kefu Hub',
    useful: 'Helpful', notUseful: 'Not helpful',
  };

  // ------------------------------------------------------------------ storage (never throws: private modes)
  const KEY = 'kefu.v1.' + CHANNEL + '.';
  const store = {
    get(k, global) { try { return JSON.parse(localStorage.getItem((global ? 'kefu.v1.' : KEY) + k) || 'null'); } catch { return null; } },
    set(k, v, global) { try { localStorage.setItem((global ? 'kefu.v1.' : KEY) + k, J(v)); } catch { /* quota or disabled */ } },
    del(k) { try { localStorage.removeItem(KEY + k); } catch { /* disabled */ } },
  };
  const J = JSON.stringify;
  const rand = (n) => {
    const a = new Uint8Array(n);
    crypto.getRandomValues(a);
    return Array.from(a, (b) => 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'[b % 62]).join('');
  };
  function visitorId() {
    let v = store.get('visitor', true);
    if (typeof v !== 'string' || !/^[A-Za-z0-9_-]{16,64}$/.test(v)) { v = rand(24); store.set('visitor', v, true); }
    return v;
  }
  /** Pages seen on the embedding site (last 20), recorded on every page load. */
  function recordPage() {
    const trail = (store.get('trail', true) || []).filter((e) => e && typeof e.url === 'string');
    trail.push({ url: location.href.slice(0, 2000), title: (document.title || '').slice(0, 300), at: new Date().toISOString() });
    store.set('trail', trail.slice(-TRAIL_MAX), true);
  }

  let identity = null;
  try {
    const raw = script.getAttribute('data-identity');
    if (raw) identity = JSON.parse(raw);
  } catch { console.warn('[kefu] widget: data-identity is not valid JSON; continuing anonymously'); }

  // ------------------------------------------------------------------ state
  const S = {
    token: null, settings: {}, conv: null, open: false,
    cursor: 0, // highest seq received on the event stream: where a reconnect resumes
    rows: new Map(), // seq → row element (rendered once)
    readMark: 0, unread: 0, queuePos: null, queueEta: null,
    outbox: [], pumping: false, rated: 0, offlineSent: false,
  };

  // ------------------------------------------------------------------ GraphQL over fetch
  const MSG = 'id seq clientMessageId senderType senderId type body createdAt recalledAt';
  const CONV = 'id status assigneeId assigneeName agentReadSeq customerReadSeq';
  const Q = {
    session: 'mutation($k:String!,$v:String,$i:VisitorIdentityInput){startVisitorSession(channelKey:$k,visitorId:$v,identity:$i){token expiresAt customerId settings}}',
    start: `mutation($t:[TrailEntryInput!]){startConversation(trail:$t){${CONV}}}`,
    current: `{visitorConversation{${CONV}}}`,
    conv: `query($id:ID!){conversation(id:$id){${CONV}}}`,
    send: `mutation($c:ID!,$t:String!,$b:JSON!,$m:String){sendMessage(conversationId:$c,type:$t,body:$b,clientMessageId:$m){${MSG}}}`,
    typing: 'mutation($c:ID!,$p:String){sendTyping(conversationId:$c,preview:$p)}',
    read: 'mutation($c:ID!,$s:Int!){markRead(conversationId:$c,seq:$s){id}}',
    recall: 'mutation($m:ID!){recallMessage(messageId:$m){id}}',
    rate: 'mutation($c:ID!,$s:Int!,$x:String){rateConversation(conversationId:$c,stars:$s,comment:$x){id status}}',
    offline: 'mutation($c:ID!,$x:String!,$n:String,$e:String,$p:String){leaveOfflineMessage(conversationId:$c,content:$x,name:$n,email:$e,phone:$p){id}}',
    ss: 'query($k:String,$u:String,$t:String,$c:ID,$n:String){selfService(channelKey:$k,pageUrl:$u,pageTitle:$t,conversationId:$c,nodeId:$n){title guesses{question} categories{id name questions{question}} cards{title description imageUrl url buttonLabel} bubbles{id text delaySec question}}}',
    rateAnswer: 'mutation($m:ID!,$u:Boolean!){rateBotAnswer(messageId:$m,useful:$u){id body}}',
    events: `subscription($c:ID!,$a:Int){conversationEvents(conversationId:$c,afterSeq:$a){kind seq status assigneeId side preview position estimatedWaitSec messageId message{${MSG}}}}`,
  };
  /** An API failure: `code` is the hub's error code (NETWORK when the hub was not reached). */
  const apiError = (code, message, retryable) => Object.assign(new Error(message), { code, retryable, api: true });
  async function gql(query, variables, anonymous) {
    let res;
    try {
      res = await fetch(API, {
        method: 'POST',
        headers: Object.assign({ 'content-type': 'application/json' }, S.token && !anonymous ? { authorization: 'Bearer ' + S.token } : {}),
        body: J({ query, variables }),
      });
    } catch (e) {
      throw apiError('NETWORK', String(e), true);
    }
    let json = null;
    try { json = await res.json(); } catch { /* not JSON */ }
    const e0 = json && json.errors && json.errors[0];
    if (e0) {
      const code = (e0.extensions && e0.extensions.code) || 'ERROR';
      const issues = e0.extensions && e0.extensions.details && e0.extensions.details.issues;
      // RATE_LIMITED (e.g. many visitors behind one office address) passes: retried with backoff.
      throw apiError(code, e0.message + (issues ? ' ' + J(issues) : ''), code === 'UNAVAILABLE' || code === 'INTERNAL_SERVER_ERROR' || code === 'ERROR' || code === 'RATE_LIMITED');
    }
    if (!res.ok || !json || !json.data) throw apiError('HTTP_' + res.status, 'HTTP ' + res.status, res.status >= 500 || res.status === 429 || !json);
    return json.data;
  }
  /** Runs a call with the visitor token; an expired/revoked token is replaced once. */
  async function authed(query, variables) {
    await ensureSession(false);
    try {
      return await gql(query, variables);
    } catch (e) {
      if (e.code !== 'UNAUTHENTICATED') throw e;
      await ensureSession(true);
      return gql(query, variables);
    }
  }
  async function ensureSession(force) {
    const who = identity ? 'u:' + identity.externalId : 'v:' + visitorId();
    const saved = store.get('session');
    if (!force && saved && saved.who === who && Date.parse(saved.expiresAt) - Date.now() > 3600e3) {
      S.token = saved.token;
      S.settings = saved.settings || {};
      if (!S.fresh) { // settings may have changed since the session began: refresh them once per page
        S.fresh = true;
        gql('{visitorSession{settings}}').then((d) => { S.settings = d.visitorSession.settings || {}; store.set('session', Object.assign(saved, { settings: S.settings })); applySettings(); }, () => { S.fresh = false; });
      }
      return;
    }
    let d;
    try {
      d = await gql(Q.session, { k: CHANNEL, v: identity ? null : visitorId(), i: identity }, true);
    } catch (e) {
      if (!identity || e.retryable) throw e;
      console.warn('[kefu] widget: identity refused (' + e.message + '); continuing anonymously');
      identity = null;
      return ensureSession(true);
    }
    const s = d.startVisitorSession;
    S.token = s.token;
    S.settings = s.settings || {};
    store.set('session', { who: identity ? 'u:' + identity.externalId : who, token: s.token, expiresAt: s.expiresAt, settings: S.settings });
    applySettings();
  }

  // ------------------------------------------------------------------ DOM helpers
  function h(tag, attrs, ...kids) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v == null || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? '' : String(v));
    }
    for (const kid of kids.flat()) if (kid != null && kid !== false) el.append(kid instanceof window.Node ? kid : String(kid));
    return el;
  }
  const svg = (d, size) => {
    const t = document.createElement('template');
    t.innerHTML = `<svg viewBox="0 0 24 24" width="${size}" height="${size}" aria-hidden="true">${d}</svg>`;
    return t.content.firstChild;
  };
  const ICON = {
    chat: '<path fill="currentColor" d="M12 3C6.5 3 2 6.7 2 11.3c0 2.5 1.3 4.8 3.5 6.3L5 21l3.9-2.1c1 .3 2 .4 3.1.4 5.5 0 10-3.7 10-8.3S17.5 3 12 3z"/>',
    down: '<path fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" d="M6 9l6 6 6-6"/>',
    clip: '<path fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" d="M20 11.5l-7.8 7.8a5 5 0 01-7.1-7.1l8.5-8.5a3.3 3.3 0 014.7 4.7l-8.5 8.5a1.7 1.7 0 01-2.4-2.4l7.8-7.8"/>',
    send: '<path fill="currentColor" d="M3.4 20.4l17.4-7.5a1 1 0 000-1.8L3.4 3.6a1 1 0 00-1.4 1.2L4.5 12l-2.5 7.2a1 1 0 001.4 1.2zM4.5 12h8"/>',
    file: '<path fill="none" stroke="currentColor" stroke-width="1.8" d="M14 3H6v18h12V7zM14 3v4h4"/>',
    star: '<path fill="currentColor" d="M12 2.8l2.8 5.8 6.4.9-4.6 4.5 1.1 6.3L12 17.3l-5.7 3 1.1-6.3-4.6-4.5 6.4-.9z"/>',
  };
  const hhmm = (iso) => new Date(iso).toLocaleTimeString(ZH ? 'zh-CN' : 'en-GB', { hour: '2-digit', minute: '2-digit' });
  const kb = (n) => (n >= 1048576 ? (n / 1048576).toFixed(1) + ' MB' : Math.max(1, Math.round(n / 1024)) + ' KB');

  // ------------------------------------------------------------------ UI
  const CSS = `
:host{all:initial}
*{box-sizing:border-box}
[hidden]{display:none!important}
.root{--accent:#1677ff;font:14px/1.5 -apple-system,"Segoe UI","PingFang SC","Microsoft YaHei","Noto Sans CJK SC","WenQuanYi Micro Hei",Roboto,Arial,sans-serif;color:#1f2329}
button{font:inherit;cursor:pointer;border:0;background:none;padding:0;color:inherit}
.launcher{position:fixed;right:20px;bottom:20px;width:58px;height:58px;border-radius:50%;background:var(--accent);color:#fff;display:flex;align-items:center;justify-content:center;box-shadow:0 6px 20px rgba(22,119,255,.35);z-index:2147483000}
.badge{position:absolute;top:-2px;right:-2px;min-width:20px;height:20px;padding:0 6px;border-radius:10px;background:#f5222d;color:#fff;font-size:12px;line-height:16px;font-weight:600;border:2px solid #fff}
.panel{position:fixed;right:20px;bottom:92px;width:380px;height:600px;max-height:calc(100vh - 112px);display:flex;flex-direction:column;background:#fff;border-radius:16px;overflow:hidden;box-shadow:0 16px 48px rgba(15,23,42,.2);z-index:2147483001}
@media (max-width:600px){.panel{inset:0;width:100%;height:100%;max-height:none;border-radius:0}.open .launcher{display:none}.composer textarea{font-size:16px}}
.head{display:flex;align-items:center;gap:12px;padding:14px 14px 14px 16px;background:var(--accent);color:#fff}
.avatar{width:38px;height:38px;border-radius:50%;background:rgba(255,255,255,.22);display:flex;align-items:center;justify-content:center;flex:none}
.titles{flex:1;min-width:0;white-space:nowrap}
.title{font-size:16px;font-weight:600;overflow:hidden;text-overflow:ellipsis}
.sub{font-size:12px;opacity:.9;overflow:hidden;text-overflow:ellipsis}
.sub::before{content:"";display:inline-block;width:7px;height:7px;border-radius:50%;background:#73d13d;box-shadow:0 0 0 2px rgba(255,255,255,.55);margin-right:7px}
.x{width:34px;height:34px;border-radius:8px;display:flex;align-items:center;justify-content:center}
.x:hover,.icon:hover{background:#8882}
.notice{padding:7px 14px;font-size:12px;text-align:center;background:#e6f4ff;color:#0958d9}
.conn{background:#fff7e6;color:#ad6800}
.list{flex:1;overflow-y:auto;padding:16px 14px 8px;background:#f5f7fa;display:flex;flex-direction:column;gap:12px}
.row{display:flex;flex-direction:column;max-width:82%;align-self:flex-start;align-items:flex-start}
.row.me{align-self:flex-end;align-items:flex-end}
.row.sys,.row.is-recalled{align-self:center;max-width:92%;align-items:center}
.who,.meta{font-size:12px;color:#8a919f;margin:0 2px 3px}
.meta{font-size:11px;margin:3px 2px 0;display:flex;gap:6px}
.bubble{padding:9px 13px;border-radius:4px 14px 14px;background:#fff;box-shadow:0 1px 2px rgba(15,23,42,.06);white-space:pre-wrap;overflow-wrap:anywhere}
.me .bubble{background:var(--accent);color:#fff;border-radius:14px 4px 14px 14px}
.pending .bubble{opacity:.65}
.me .media,.media{padding:4px;background:#fff;color:#1f2329}
.media img{display:block;max-width:220px;max-height:220px;width:auto;height:auto;min-width:40px;min-height:40px;object-fit:contain;border-radius:10px}
.filelink{display:flex;align-items:center;gap:8px;color:inherit;text-decoration:none;padding:6px 8px}
.sysmsg{font-size:12px;color:#6b7280;background:#e9edf3;border-radius:12px;padding:3px 12px;text-align:center}
.read{color:var(--accent)}
.fail{color:#f5222d;cursor:pointer}
.recall:hover{color:#f5222d}
.me .recalled,.recalled{font-style:italic;color:#9aa1ad;background:none;box-shadow:none;padding:2px 4px}
.chips{display:flex;flex-wrap:wrap;gap:6px;margin-top:8px}
.chip{border:1px solid var(--accent);color:var(--accent);background:#fff;border-radius:16px;padding:4px 12px;font-size:13px;text-align:left}
.chip:hover{background:#e6f4ff}
.card{align-self:stretch;max-width:100%;background:#fff;border-radius:12px;padding:14px;box-shadow:0 1px 3px rgba(15,23,42,.08)}
.card h4{margin:0 0 10px;font-size:14px}
.stars{display:flex;gap:6px;margin-bottom:10px}
.star{color:#d9dde3}
.star.on{color:#fadb14}
.card textarea,.card input,.composer textarea{width:100%;border:1px solid #dfe3e8;border-radius:8px;padding:8px 10px;font:inherit;margin-bottom:8px;outline:none;resize:vertical;color:#1f2329;background:#fff}
.card :focus,.composer textarea:focus{border-color:var(--accent)}
.primary{background:var(--accent);color:#fff;border-radius:8px;padding:8px 16px}
.primary:disabled,.send:disabled{opacity:.45;cursor:default}
.err{color:#f5222d;font-size:12px;margin:-2px 0 8px}
.done{color:#389e0d}
.typing{padding:2px 18px 6px;font-size:12px;color:#8a919f;background:#f5f7fa}
.dots i{display:inline-block;width:5px;height:5px;margin-right:3px;border-radius:50%;background:#b0b7c3;animation:blink 1.2s infinite}
.dots i:nth-child(2){animation-delay:.2s}.dots i:nth-child(3){animation-delay:.4s}
@keyframes blink{40%{opacity:1}0%,80%{opacity:.3}}
.composer{display:flex;align-items:flex-end;gap:8px;padding:10px 12px;border-top:1px solid #eef0f3}
.composer textarea{flex:1;margin:0;min-height:38px;max-height:110px;border-radius:19px;padding:8px 14px;resize:none}
.icon{flex:none;width:38px;height:38px;border-radius:50%;display:flex;align-items:center;justify-content:center;color:#6b7280}
.icon.send{background:var(--accent);color:#fff}
.endbar{padding:12px;border-top:1px solid #eef0f3;text-align:center;color:#6b7280;font-size:13px}
.endbar .primary{margin-left:8px}
.brand{font-size:11px;color:#b0b7c3;text-align:center;padding:0 0 6px}
.ss>div{align-self:stretch}
.ss h4{margin:0 0 8px;font-size:14px}
.tabs{display:flex;flex-wrap:wrap;gap:2px 12px;margin:10px 0 4px;border-bottom:1px solid #eef0f3}
.tab{padding:4px 0;font-size:13px;color:#6b7280;border-bottom:2px solid transparent;margin-bottom:-1px}
.tab.on{color:var(--accent);border-color:var(--accent)}
.q{display:block;width:100%;text-align:left;padding:6px 0;font-size:13px;border-bottom:1px dashed #eef0f3}
.q:hover{color:var(--accent)}
.bcard{display:flex;gap:10px;margin-top:10px;border:1px solid #eef0f3;border-radius:10px;padding:8px}
.bcard img{width:56px;height:56px;object-fit:cover;border-radius:8px;flex:none}
.bcard p{margin:2px 0 6px;font-size:12px;color:#6b7280}
.bcard a{display:inline-block;font-size:12px;padding:3px 10px;text-decoration:none}
.tip{position:fixed;right:20px;bottom:90px;max-width:260px;background:#fff;border-radius:12px;padding:10px 30px 10px 12px;box-shadow:0 6px 24px rgba(15,23,42,.18);z-index:2147483000;cursor:pointer;font-size:13px}
.tip .tx{position:absolute;top:4px;right:6px;width:20px;height:20px;color:#9aa1ad}
.fb{display:flex;gap:6px}
.fb button{font-size:11px;color:#8a919f;border:1px solid #dfe3e8;border-radius:10px;padding:0 8px}
.fb button.on{color:var(--accent);border-color:var(--accent)}
`;

  const host = h('div', { id: 'kefu-hub-widget' });
  const root = host.attachShadow({ mode: 'open' });
  const $ = {};
  $.badge = h('span', { class: 'badge', hidden: true });
  $.launcher = h('button', { class: 'launcher', 'aria-label': T.open, title: T.open, onclick: () => toggle(!S.open) }, svg(ICON.chat, 28), $.badge);
  $.title = h('div', { class: 'title' }, T.title);
  $.sub = h('div', { class: 'sub' }, T.sub);
  $.conn = h('div', { class: 'notice conn', hidden: true }, T.reconnecting);
  $.queue = h('div', { class: 'notice queue', hidden: true });
  $.list = h('div', { class: 'list', role: 'log', 'aria-live': 'polite' });
  $.typingText = h('span', {}, T.typing);
  $.typing = h('div', { class: 'typing', hidden: true }, h('span', { class: 'dots' }, h('i'), h('i'), h('i')), $.typingText);
  $.file = h('input', { type: 'file', hidden: true, onchange: onFile });
  $.input = h('textarea', { rows: '1', placeholder: T.placeholder, 'aria-label': T.placeholder, maxlength: '5000', oninput: onInput, onkeydown: onKey });
  $.send = h('button', { class: 'icon send', 'aria-label': T.send, title: T.send, disabled: true, onclick: () => sendText() }, svg(ICON.send, 18));
  $.composer = h('div', { class: 'composer' },
    h('button', { class: 'icon attach', 'aria-label': T.attach, title: T.attach, onclick: () => $.file.click() }, svg(ICON.clip, 20)), $.file, $.input, $.send);
  $.endbar = h('div', { class: 'endbar', hidden: true }, T.ended, h('button', { class: 'primary newchat', onclick: newChat }, T.newChat));
  $.panel = h('section', { class: 'panel', role: 'dialog', 'aria-label': T.title, hidden: true },
    h('header', { class: 'head' }, h('div', { class: 'avatar' }, svg(ICON.chat, 20)), h('div', { class: 'titles' }, $.title, $.sub),
      h('button', { class: 'x', 'aria-label': T.close, title: T.close, onclick: () => toggle(false) }, svg(ICON.down, 20))),
    $.conn, $.queue, $.list, $.typing, $.composer, $.endbar, h('div', { class: 'brand' }, T.brand));
  $.root = h('div', { class: 'root', lang: ZH ? 'zh-CN' : 'en' }, $.panel, $.launcher);
  const style = document.createElement('style');
  style.textContent = CSS;
  root.append(style, $.root);

  function applySettings() {
    const s = S.settings || {};
    if (typeof s.accentColor === 'string' && /^#[0-9a-fA-F]{3,8}$/.test(s.accentColor)) $.root.style.setProperty('--accent', s.accentColor);
    if (typeof s.title === 'string' && s.title) $.title.textContent = s.title;
    renderHeader();
  }

  function toggle(open) {
    S.open = open;
    $.panel.hidden = !open;
    $.root.classList.toggle('open', open);
    $.launcher.setAttribute('aria-expanded', String(open));
    if (open) {
      dismissTip();
      S.unread = 0;
      renderBadge();
      scrollDown(true);
      setTimeout(() => $.input.focus(), 50);
      ensureConversation().catch(showError);
      markReadSoon();
    }
  }
  function renderBadge() {
    $.badge.hidden = S.open || !S.unread;
    $.badge.textContent = S.unread > 99 ? '99+' : String(S.unread);
  }
  function renderHeader() {
    const c = S.conv;
    const st = c && c.status;
    $.sub.textContent = st === 'assigned' && c.assigneeName ? T.serving(c.assigneeName)
      : st === 'bot' || st === 'self_service' ? T.botSub
      : (S.settings && S.settings.subtitle) || T.sub;
    $.queue.hidden = st !== 'queued';
    $.queue.textContent = S.queuePos ? T.queued(S.queuePos, S.queueEta) : T.queuedNoPos;
    const ended = st === 'ended';
    const formPhase = st === 'survey' || st === 'offline';
    $.composer.hidden = ended || formPhase;
    $.endbar.hidden = !ended;
    for (const f of forms) f();
  }
  let atBottom = true;
  $.list.addEventListener('scroll', () => { atBottom = $.list.scrollHeight - $.list.scrollTop - $.list.clientHeight < 60; });
  function scrollDown(force) {
    if (force || atBottom) setTimeout(() => { $.list.scrollTop = $.list.scrollHeight; }, 0);
  }
  function showError(e) {
    console.warn('[kefu] widget:', e && e.message);
    addNotice(T.error);
  }
  function addNotice(text) {
    $.list.append(h('div', { class: 'row sys' }, h('div', { class: 'sysmsg' }, text)));
    scrollDown(true);
  }

  // ------------------------------------------------------------------ messages
  /** Inserts a row at its seq position (pending rows stay last); a seq already shown is never shown twice. */
  function place(row, seq) {
    let before = null;
    for (const el of $.list.children) {
      const s = Number(el.getAttribute('data-seq'));
      if (!el.hasAttribute('data-seq') && el.classList.contains('pending')) { before = el; break; }
      if (s > seq) { before = el; break; }
    }
    $.list.insertBefore(row, before);
  }
  function addMessage(m) {
    if (!m || typeof m.seq !== 'number') return;
    if (m.clientMessageId) {
      const p = $.list.querySelector(`.pending[data-cid="${m.clientMessageId}"]`);
      if (p) p.remove();
    }
    const existing = S.rows.get(m.seq);
    if (existing) {
      if (m.recalledAt && !existing.classList.contains('is-recalled')) markRecalled(m.seq);
      return;
    }
    const row = renderMessage(m);
    if (!row) { S.rows.set(m.seq, h('div')); return; }
    row.setAttribute('data-seq', String(m.seq));
    S.rows.set(m.seq, row);
    place(row, m.seq);
    if (m.senderType !== 'customer' && m.seq > S.readMark) {
      if (!S.open || document.visibilityState !== 'visible') { S.unread++; renderBadge(); }
    }
    applyRead();
    scrollDown(m.senderType === 'customer');
    markReadSoon();
  }
  function who(m) {
    if (m.senderType === 'bot') return T.bot;
    if (m.senderType === 'agent') return (S.conv && m.senderId === S.conv.assigneeId && S.conv.assigneeName) || T.agent;
    return null;
  }
  const link = (url, text) => h('a', { href: url, target: '_blank', rel: 'noopener noreferrer' }, text || url);
  const chip = (label, value) => h('button', { class: 'chip', onclick: () => sendText(String(value || label)) }, String(label || value));
  function renderBody(m) {
    const b = m.body || {};
    switch (m.type) {
      case 'image':
        return h('div', { class: 'bubble media' }, h('img', { src: b.url, alt: b.alt || 'image', width: b.width, height: b.height, loading: /^https?:/.test(b.url) ? 'lazy' : null, onload: () => scrollDown(false) }));
      case 'file':
        return h('div', { class: 'bubble media' }, h('a', { class: 'filelink', href: b.url, download: b.name || 'file', target: /^https?:/.test(b.url) ? '_blank' : null, rel: 'noopener noreferrer' },
          svg(ICON.file, 22), h('span', {}, b.name || 'file', ' ', typeof b.size === 'number' ? h('small', {}, kb(b.size)) : null)));
      case 'rich_text':
        return h('div', { class: 'bubble' }, new DOMParser().parseFromString(String(b.html || ''), 'text/html').body.textContent || '');
      case 'card': {
        if (b.kind === 'faq' && b.selfService && typeof b.selfService.nodeId === 'string') return nodeCard(b);
        const chips = (b.kind === 'faq' && Array.isArray(b.questions) ? b.questions : []).map((q) => chip(q))
          .concat((Array.isArray(b.actions) ? b.actions : []).map((a) => chip(a.label, a.value)));
        return h('div', { class: 'bubble' }, b.title ? h('strong', {}, String(b.title)) : null, b.description ? h('div', {}, String(b.description)) : null,
          typeof b.url === 'string' && /^https?:/.test(b.url) ? link(b.url) : null,
          typeof b.text === 'string' && !b.title ? b.text : null, chips.length ? h('div', { class: 'chips' }, chips) : null);
      }
      case 'audio': case 'video':
        return h('div', { class: 'bubble' }, link(b.url));
      default: {
        const sugg = m.senderType === 'bot' && !b.matched && Array.isArray(b.suggestions) ? b.suggestions.filter((s) => s && s.question) : [];
        if (sugg.length) {
          return h('div', { class: 'bubble suggest' }, T.didYouMean,
            h('div', { class: 'chips' }, sugg.map((x) => chip(x.question))));
        }
        return h('div', { class: 'bubble' }, String(b.text || ''));
      }
    }
  }
  function sysText(m) {
    const b = m.body || {};
    switch (b.event) {
      case 'transfer_requested': return T.transfer;
      case 'agent_joined': return T.joined(S.conv && b.agentId === S.conv.assigneeId && S.conv.assigneeName ? S.conv.assigneeName : T.agent);
      case 'transferred': return T.transferred;
      case 'closed': return b.by === 'customer' ? T.closedByMe : b.by === 'system' ? T.closedAuto : T.closedByAgent;
      case 'ended': return T.ended;
      default: return null;
    }
  }
  function renderMessage(m) {
    const b = m.body || {};
    if (m.senderType === 'system') {
      if (b.event === 'survey_requested') return surveyCard(b);
      if (b.event === 'offline_form') return offlineCard(b);
      const text = sysText(m);
      if (!text) return null;
      return h('div', { class: 'row sys', 'data-sender': 'system', 'data-event': b.event, 'data-agent': b.agentId || null }, h('div', { class: 'sysmsg' }, text));
    }
    if (m.senderType !== 'customer' && m.type === 'text' && !b.text && !(b.suggestions && b.suggestions.length)) return null; // an empty greeting
    const mine = m.senderType === 'customer';
    const meta = h('div', { class: 'meta' }, h('span', {}, hhmm(m.createdAt)));
    if (m.senderType === 'bot' && b.matched === true && m.id) meta.append(feedback(m));
    const row = h('div', { class: 'row ' + (mine ? 'me' : 'them'), 'data-sender': m.senderType, 'data-id': m.id, 'data-cid': m.clientMessageId || null },
      mine ? null : h('div', { class: 'who' }, who(m)), renderBody(m), meta);
    if (m.recalledAt) recalledLook(row, mine);
    else if (mine && Date.now() - Date.parse(m.createdAt) < 110e3) {
      const btn = h('button', { class: 'recall', onclick: () => authed(Q.recall, { m: m.id }).catch(showError) }, T.recall);
      meta.append(btn);
      setTimeout(() => btn.remove(), Math.max(0, 110e3 - (Date.now() - Date.parse(m.createdAt))));
    }
    return row;
  }
  function recalledLook(row, mine) {
    row.classList.add('is-recalled');
    row.querySelectorAll('.meta,.who').forEach((el) => el.remove());
    const body = row.querySelector('.bubble');
    if (body) body.replaceWith(h('div', { class: 'bubble recalled' }, mine ? T.recalledMe : T.recalledThem));
  }
  function markRecalled(seq) {
    const row = S.rows.get(seq);
    if (row && row.classList.contains('row') && !row.classList.contains('is-recalled')) recalledLook(row, row.classList.contains('me'));
  }
  /** "Read" on own messages up to the agent's read seq. */
  function applyRead() {
    const upto = (S.conv && S.conv.agentReadSeq) || 0;
    for (const [seq, row] of S.rows) {
      if (!row.classList.contains('me') || row.classList.contains('is-recalled') || seq > upto) continue;
      const meta = row.querySelector('.meta');
      if (meta && !meta.querySelector('.read')) meta.append(h('span', { class: 'read' }, T.read));
    }
  }
  function refreshNames() {
    for (const row of S.rows.values()) {
      if (row.getAttribute('data-event') === 'agent_joined') {
        const n = S.conv && row.getAttribute('data-agent') === S.conv.assigneeId && S.conv.assigneeName;
        if (n) row.firstChild.textContent = T.joined(n);
      }
      if (row.getAttribute('data-sender') === 'agent' && S.conv && S.conv.assigneeName) {
        const w = row.querySelector('.who');
        if (w && w.textContent === T.agent) w.textContent = S.conv.assigneeName;
      }
    }
  }

  // ------------------------------------------------------------------ self-service and answer feedback
  const page = () => ({ u: location.href.slice(0, 2000), t: (document.title || '').slice(0, 300) });
  /** Fills `el` with a self-service view: 猜你想问 chips, category tabs with their questions, business cards. */
  function fillSS(el, v, title) {
    el.textContent = '';
    const guesses = v.guesses || [];
    const cats = (v.categories || []).filter((c) => c.questions.length);
    if (guesses.length || title) el.append(h('h4', {}, title || v.title), h('div', { class: 'chips guess' }, guesses.map((g) => chip(g.question))));
    if (cats.length) {
      const qs = h('div', { class: 'qs' });
      const pick = (i) => {
        tabs.forEach((t, j) => { t.classList.toggle('on', i === j); t.setAttribute('aria-selected', String(i === j)); });
        qs.replaceChildren(...cats[i].questions.map((q) => h('button', { class: 'q', onclick: () => sendText(q.question) }, q.question)));
      };
      const tabs = cats.map((c, i) => h('button', { class: 'tab', role: 'tab', 'data-cat': c.id, onclick: () => pick(i) }, c.name));
      el.append(h('div', { class: 'tabs', role: 'tablist' }, tabs), qs);
      pick(0);
    }
    for (const c of v.cards || []) {
      const url = typeof c.url === 'string' && /^https?:/.test(c.url) ? c.url : null;
      el.append(h('div', { class: 'bcard' },
        c.imageUrl && /^https?:/.test(c.imageUrl) ? h('img', { src: c.imageUrl, alt: '', loading: 'lazy' }) : null,
        h('div', {}, h('strong', {}, c.title), c.description ? h('p', {}, c.description) : null,
          url ? h('a', { class: 'primary', href: url, target: '_blank', rel: 'noopener noreferrer' }, c.buttonLabel || c.title) : null)));
    }
  }
  const hasSS = (v) => v && ((v.guesses || []).length || (v.categories || []).some((c) => c.questions.length) || (v.cards || []).length);
  /** The channel's self-service, first in the list (rendered again when a new conversation clears it). */
  function mountHome() {
    if ($.home) $.home.remove();
    $.home = null;
    if (!hasSS(S.ss)) return;
    const body = h('div', {});
    fillSS(body, S.ss);
    $.home = h('div', { class: 'row card ss home', 'data-ss': 'channel' }, body);
    $.list.prepend($.home);
  }
  /** A flow's self_service card: its pinned questions at once, then the node's self-service for this page. */
  function nodeCard(b) {
    const el = h('div', { class: 'bubble ss node', 'data-node': b.selfService.nodeId });
    fillSS(el, { guesses: (Array.isArray(b.questions) ? b.questions : []).map((q) => ({ question: String(q) })) }, String(b.title || ''));
    const p = page();
    if (S.conv) {
      authed(Q.ss, { c: S.conv.id, n: b.selfService.nodeId, u: p.u, t: p.t })
        .then((d) => { if (d.selfService) { fillSS(el, d.selfService, String(b.title || d.selfService.title)); scrollDown(false); } })
        .catch((e) => console.warn('[kefu] widget: self-service failed', e.message));
    }
    return el;
  }
  function loadSelfService() {
    const p = page();
    gql(Q.ss, { k: CHANNEL, u: p.u, t: p.t }, true).then((d) => {
      S.ss = d.selfService;
      if (!S.ss) return;
      mountHome();
      const seen = store.get('tips') || [];
      for (const b of S.ss.bubbles || []) if (!seen.includes(b.id)) setTimeout(() => showTip(b), b.delaySec * 1000);
    }, (e) => console.warn('[kefu] widget: self-service unavailable', e.message));
  }
  /** A guide bubble beside the launcher (one at a time; dismissed ones stay away on this browser). */
  function showTip(b) {
    if (S.open || $.tip || (store.get('tips') || []).includes(b.id)) return;
    const x = h('button', { class: 'tx', 'aria-label': T.close, onclick: (e) => { e.stopPropagation(); dismissTip(); } }, '×');
    $.tip = h('div', { class: 'tip', role: 'status', 'data-tip': b.id, onclick: () => { dismissTip(); toggle(true); if (b.question) sendText(b.question); } }, b.text, x);
    $.root.append($.tip);
  }
  function dismissTip() {
    if (!$.tip) return;
    store.set('tips', (store.get('tips') || []).concat($.tip.getAttribute('data-tip')).slice(-50));
    $.tip.remove();
    $.tip = null;
  }
  /** 有帮助 / 没帮助 under a bot answer: shows the rating it has; the same rating again sends nothing. */
  function feedback(m) {
    let state = m.body && m.body.feedback ? m.body.feedback.useful : null;
    const up = h('button', { class: 'up', onclick: () => rate(true) }, T.useful);
    const down = h('button', { class: 'down', onclick: () => rate(false) }, T.notUseful);
    const box = h('span', { class: 'fb' }, up, down);
    function show() {
      up.classList.toggle('on', state === true);
      down.classList.toggle('on', state === false);
      up.setAttribute('aria-pressed', String(state === true));
      down.setAttribute('aria-pressed', String(state === false));
      box.setAttribute('data-rated', state === true ? 'useful' : state === false ? 'not-useful' : '');
    }
    async function rate(useful) {
      if (state === useful || box.busy) return;
      box.busy = true;
      try {
        const d = await authed(Q.rateAnswer, { m: m.id, u: useful });
        const f = d.rateBotAnswer.body && d.rateBotAnswer.body.feedback;
        state = f ? f.useful : useful;
      } catch (e) { showError(e); }
      box.busy = false;
      show();
    }
    show();
    return box;
  }

  // ------------------------------------------------------------------ survey and offline forms
  const forms = [];
  /** An inline form card (survey, offline message): open while `isOpen()`, then shows `doneText()`. */
  function formCard(kind, event, title, fields, submitLabel, onSubmit, isOpen, doneText) {
    const err = h('div', { class: 'err', hidden: true });
    const submit = h('button', { class: 'primary submit', onclick: go }, submitLabel);
    const form = h('div', { class: 'form', oninput: () => { err.hidden = true; } }, fields, err, submit);
    const done = h('div', { class: 'done', hidden: true });
    const card = h('div', { class: 'row card ' + kind, 'data-sender': 'system', 'data-event': event }, h('h4', {}, title), form, done);
    async function go() {
      submit.disabled = true;
      err.hidden = true;
      try {
        await onSubmit();
      } catch (e) {
        err.textContent = !e.api ? e.message : e.code === 'INVALID_STATE' ? T.formClosed : e.code === 'BAD_USER_INPUT' ? T.check : T.error;
        err.hidden = false;
      }
      submit.disabled = false;
      update();
    }
    function update() {
      const open = isOpen();
      form.hidden = !open;
      done.hidden = open;
      done.textContent = doneText();
    }
    forms.push(update);
    update();
    return { card, submit };
  }
  function surveyCard(b) {
    let stars = 0;
    const comment = h('textarea', { rows: '2', placeholder: T.comment, maxlength: '2000', class: 'comment' });
    const starBtns = [1, 2, 3, 4, 5].map((n) => h('button', { class: 'star', 'data-star': n, 'aria-label': T.stars(n), title: T.stars(n), onclick: () => pick(n) }, svg(ICON.star, 30)));
    const f = formCard('survey', 'survey_requested', b.prompt || T.surveyTitle, [h('div', { class: 'stars' }, starBtns), comment], T.submit,
      async () => {
        if (!stars) throw new Error(T.pickStars);
        const d = await authed(Q.rate, { c: S.conv.id, s: stars, x: comment.value.trim() || null });
        S.rated = stars;
        setStatus(d.rateConversation.status);
      },
      () => !S.rated && !!S.conv && (S.conv.status === 'survey' || S.conv.status === 'assigned'),
      () => (S.rated ? T.surveyThanks(S.rated) : T.formClosed));
    function pick(n) {
      stars = n;
      starBtns.forEach((el, i) => el.classList.toggle('on', i < n));
    }
    return f.card;
  }
  function offlineCard(b) {
    const content = h('textarea', { rows: '3', placeholder: T.content, maxlength: '5000', name: 'content' });
    const name = h('input', { placeholder: T.name, maxlength: '120', name: 'name' });
    const contact = h('input', { placeholder: T.contact, maxlength: '254', name: 'contact' });
    return formCard('offline', 'offline_form', b.prompt || T.offlineTitle, [content, name, contact], T.submit,
      async () => {
        const text = content.value.trim();
        const c = contact.value.trim();
        if (!text) throw new Error(T.required);
        await authed(Q.offline, { c: S.conv.id, x: text, n: name.value.trim() || null, e: c.includes('@') ? c : null, p: c && !c.includes('@') ? c : null });
        S.offlineSent = true;
      },
      () => !S.offlineSent && !!S.conv && S.conv.status === 'offline',
      () => (S.offlineSent ? T.offlineThanks : T.formClosed)).card;
  }

  // ------------------------------------------------------------------ conversation
  function setConversation(c) {
    if (!S.conv || S.conv.id !== c.id) {
      disconnect();
      S.rows.clear();
      forms.length = 0;
      $.list.textContent = '';
      mountHome();
      S.cursor = 0; S.queuePos = null; S.rated = 0; S.offlineSent = false; S.unread = 0;
      S.readMark = c.customerReadSeq || 0;
      S.outbox = S.outbox.filter((o) => o.conv === c.id);
      store.set('conv', c.id);
      S.conv = c;
      connect();
    } else {
      Object.assign(S.conv, c);
    }
    applyRead();
    refreshNames();
    renderHeader();
  }
  function setStatus(status) {
    if (!S.conv || !status) return;
    S.conv.status = status;
    if (status !== 'queued') S.queuePos = null;
    if (status === 'ended') {
      store.del('conv');
      const id = S.conv.id;
      setTimeout(() => { if (S.conv && S.conv.id === id && S.conv.status === 'ended') disconnect(); }, 3000); // let the last events in
    }
    renderHeader();
  }
  let starting = null;
  function ensureConversation() {
    if (S.conv && S.conv.status !== 'ended') return Promise.resolve();
    starting = starting || (async () => {
      try {
        const d = await authed(Q.start, { t: store.get('trail', true) || [] });
        setConversation(d.startConversation);
      } finally { starting = null; }
    })();
    return starting;
  }
  function newChat() {
    S.conv = null;
    ensureConversation().catch(showError);
  }
  async function refreshConversation() {
    if (!S.conv) return;
    try {
      const d = await authed(Q.conv, { id: S.conv.id });
      if (d.conversation && S.conv && d.conversation.id === S.conv.id) {
        Object.assign(S.conv, d.conversation);
        setStatus(d.conversation.status);
        applyRead();
        refreshNames();
      }
    } catch (e) { console.warn('[kefu] widget: refresh failed', e.message); }
  }

  // ------------------------------------------------------------------ live events: graphql-ws over WebSocket
  let ws = null, subId = 0, attempts = 0, retryTimer = null, pingTimer = null, lastPong = 0;
  function connect() {
    if (!S.conv || ws || S.conv.status === 'ended') return;
    clearTimeout(retryTimer);
    let sock;
    try { sock = new WebSocket(WS_URL, 'graphql-transport-ws'); } catch { scheduleReconnect(); return; }
    ws = sock;
    const conv = S.conv.id;
    sock.onopen = () => sock.send(J({ type: 'connection_init', payload: { authorization: 'Bearer ' + S.token } }));
    sock.onmessage = (ev) => {
      let msg;
      try { msg = JSON.parse(ev.data); } catch { return; }
      if (ws !== sock) return;
      switch (msg.type) {
        case 'connection_ack':
          attempts = 0;
          $.conn.hidden = true;
          lastPong = Date.now();
          subId += 1;
          sock.send(J({ id: String(subId), type: 'subscribe', payload: { query: Q.events, variables: { c: conv, a: S.cursor } } }));
          void refreshConversation();
          pump();
          break;
        case 'ping': sock.send(J({ type: 'pong' })); break;
        case 'pong': lastPong = Date.now(); break;
        case 'next':
          if (msg.id !== String(subId)) break;
          if (msg.payload && msg.payload.errors && msg.payload.errors.length) { onStreamError(msg.payload.errors); break; }
          onEvent(msg.payload && msg.payload.data && msg.payload.data.conversationEvents);
          break;
        case 'error': onStreamError(msg.payload); break;
        case 'complete': sock.close(1000); break;
        default: break;
      }
    };
    sock.onclose = () => {
      if (ws !== sock) return;
      ws = null;
      scheduleReconnect();
    };
    sock.onerror = () => { /* onclose follows */ };
    clearInterval(pingTimer);
    pingTimer = setInterval(() => {
      if (ws !== sock || sock.readyState !== 1) return;
      if (Date.now() - lastPong > 45e3) { sock.close(4000); return; } // dead link: no pong
      sock.send(J({ type: 'ping' }));
    }, 15e3);
  }
  function onStreamError(errors) {
    const code = Array.isArray(errors) && errors[0] && errors[0].extensions && errors[0].extensions.code;
    if (code === 'UNAUTHENTICATED') {
      // The token expired or was revoked: a new session for the same visitor, then resume.
      ensureSession(true).then(() => ws && ws.close(4401), () => ws && ws.close(4401));
    } else if (code === 'NOT_FOUND') {
      store.del('conv');
      disconnect();
    } else if (ws) ws.close(4000);
  }
  function scheduleReconnect() {
    clearInterval(pingTimer);
    if (!S.conv || S.conv.status === 'ended') return;
    $.conn.hidden = false;
    const delay = Math.min(10e3, 400 * 2 ** attempts) * (0.75 + Math.random() * 0.5);
    attempts = Math.min(attempts + 1, 8);
    clearTimeout(retryTimer);
    retryTimer = setTimeout(connect, delay);
  }
  function reconnectNow() {
    if (ws || !S.conv || S.conv.status === 'ended') return;
    attempts = 0;
    connect();
  }
  function disconnect() {
    clearTimeout(retryTimer);
    clearInterval(pingTimer);
    const sock = ws;
    ws = null;
    $.conn.hidden = true;
    if (sock) try { sock.close(1000); } catch { /* closed */ }
  }
  let typingTimer = null;
  function onEvent(e) {
    if (!e) return;
    switch (e.kind) {
      case 'message':
        if (e.message && e.message.seq > S.cursor) S.cursor = e.message.seq;
        addMessage(e.message);
        if (e.message && e.message.senderType === 'agent') $.typing.hidden = true;
        // Lifecycle messages are ordered and replayed on resume; status events are not: trust these.
        if (e.message && e.message.type === 'system' && e.message.body && e.message.body.event === 'ended') setStatus('ended');
        break;
      case 'status': {
        const agentChanged = S.conv && e.assigneeId && e.assigneeId !== S.conv.assigneeId;
        setStatus(e.status);
        if (agentChanged) void refreshConversation();
        break;
      }
      case 'queue_position':
        S.queuePos = e.position;
        S.queueEta = e.estimatedWaitSec ?? null;
        renderHeader();
        break;
      case 'typing':
        if (e.side !== 'agent') break;
        $.typing.hidden = false;
        clearTimeout(typingTimer);
        typingTimer = setTimeout(() => { $.typing.hidden = true; }, 5000);
        break;
      case 'read':
        if (e.side === 'agent' && S.conv) {
          S.conv.agentReadSeq = Math.max(S.conv.agentReadSeq || 0, e.seq || 0);
          applyRead();
        }
        break;
      case 'recalled':
        markRecalled(e.seq);
        break;
      default: break;
    }
  }

  // ------------------------------------------------------------------ sending (retried until acknowledged)
  function queueSend(type, body) {
    if (!S.conv || S.conv.status === 'ended') return;
    const item = { cid: 'w-' + rand(22), type, body, conv: S.conv.id, tries: 0, row: null };
    const mine = { seq: 0, senderType: 'customer', type, body, createdAt: new Date().toISOString(), clientMessageId: item.cid };
    item.row = h('div', { class: 'row me pending', 'data-cid': item.cid, 'data-sender': 'customer' }, renderBody(mine), h('div', { class: 'meta' }, h('span', { class: 'state' }, T.sending)));
    $.list.append(item.row);
    scrollDown(true);
    S.outbox.push(item);
    pump();
  }
  function setPendingState(item, text, failed) {
    const st = item.row && item.row.querySelector('.state');
    if (!st) return;
    st.textContent = text;
    st.className = 'state' + (failed ? ' fail' : '');
    st.onclick = failed ? () => { item.tries = 0; S.outbox.push(item); setPendingState(item, T.sending, false); pump(); } : null;
  }
  let wake = null;
  const nap = (ms) => new Promise((r) => { const t = setTimeout(r, ms); wake = () => { clearTimeout(t); r(); }; });
  async function pump() {
    if (S.pumping) { if (wake) wake(); return; }
    S.pumping = true;
    try {
      while (S.outbox.length) {
        const item = S.outbox[0];
        if (!S.conv || item.conv !== S.conv.id) { S.outbox.shift(); if (item.row) item.row.remove(); continue; }
        try {
          const d = await authed(Q.send, { c: item.conv, t: item.type, b: item.body, m: item.cid });
          S.outbox.shift();
          addMessage(d.sendMessage); // replaces the pending row; the stream's copy of this seq is then a no-op
        } catch (e) {
          // Network trouble: retry for as long as it takes (same clientMessageId, so never twice); a server
          // error that persists is given up after a few tries and offered to the visitor to retry.
          if (e.retryable && (e.code === 'NETWORK' || item.tries < 6)) {
            item.tries += 1;
            await nap(Math.min(8000, 300 * 2 ** Math.min(item.tries, 5)));
            continue;
          }
          S.outbox.shift();
          console.warn('[kefu] widget: message not sent:', e.code, e.message);
          setPendingState(item, T.failed, true);
          if (e.code === 'INVALID_STATE') void refreshConversation();
        }
      }
    } finally {
      S.pumping = false;
      wake = null;
    }
  }
  function sendText(text) {
    const t = (text == null ? $.input.value : text).trim();
    if (!t) return;
    if (text == null) { $.input.value = ''; autosize(); $.send.disabled = true; }
    ensureConversation().then(() => queueSend('text', { text: t.slice(0, 5000) }), showError);
  }
  function onKey(e) {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
      e.preventDefault();
      sendText();
    }
  }
  function autosize() {
    $.input.style.height = 'auto';
    $.input.style.height = Math.min(110, $.input.scrollHeight + 2) + 'px';
  }
  // Typing indicator with a preview of the text (预读), at most one call per 1.5 s, the latest text last.
  let typingSentAt = 0, typingTrail = null;
  function onInput() {
    autosize();
    $.send.disabled = !$.input.value.trim();
    if (!S.conv || !['assigned', 'queued'].includes(S.conv.status)) return;
    const fire = () => {
      typingSentAt = Date.now();
      typingTrail = null;
      gql(Q.typing, { c: S.conv.id, p: $.input.value.slice(0, 500) }).catch(() => { /* best effort */ });
    };
    const wait = 1500 - (Date.now() - typingSentAt);
    if (wait <= 0) fire();
    else if (!typingTrail) typingTrail = setTimeout(fire, wait);
  }
  function onFile() {
    const f = $.file.files && $.file.files[0];
    $.file.value = '';
    if (!f) return;
    if (f.size > MAX_FILE) { addNotice(T.tooBig); return; }
    const reader = new FileReader();
    reader.onload = () => {
      const url = String(reader.result);
      const image = /^data:image\/(png|jpeg|gif|webp);base64,/.test(url);
      ensureConversation().then(() => {
        if (!image) { queueSend('file', { url, name: f.name.slice(0, 255) || 'file', size: f.size, mime: (f.type || 'application/octet-stream').slice(0, 100) }); return; }
        const img = new Image();
        img.onload = () => queueSend('image', { url, alt: f.name.slice(0, 200), width: img.naturalWidth || undefined, height: img.naturalHeight || undefined });
        img.onerror = () => queueSend('image', { url, alt: f.name.slice(0, 200) });
        img.src = url;
      }, showError);
    };
    reader.onerror = () => addNotice(T.error);
    reader.readAsDataURL(f);
  }

  // ------------------------------------------------------------------ read receipts
  let readTimer = null;
  function markReadSoon() {
    clearTimeout(readTimer);
    readTimer = setTimeout(() => {
      // Up to the stream's cursor: everything there has been rendered (a send's own seq may be ahead of it).
      if (!S.open || document.visibilityState !== 'visible' || !S.conv || S.cursor <= S.readMark) return;
      const seq = S.cursor;
      S.readMark = seq;
      S.unread = 0;
      renderBadge();
      authed(Q.read, { c: S.conv.id, s: seq }).catch(() => { S.readMark = Math.min(S.readMark, seq - 1); });
    }, 300);
  }

  // ------------------------------------------------------------------ boot
  function boot() {
    recordPage();
    loadSelfService();
    document.body.appendChild(host);
    window.addEventListener('online', () => { reconnectNow(); if (wake) wake(); });
    document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'visible') { reconnectNow(); markReadSoon(); } });
    // A returning visitor with a chat still open: resume it in the background (unread badge, live events).
    const saved = store.get('session');
    if (saved && store.get('conv')) {
      ensureSession(false)
        .then(() => gql(Q.current, {}))
        .then((d) => { if (d.visitorConversation) setConversation(d.visitorConversation); else store.del('conv'); })
        .catch((e) => console.warn('[kefu] widget: resume failed', e.message));
    } else if (saved) {
      S.settings = saved.settings || {};
    }
    applySettings();
    window.KefuHub = { open: () => toggle(true), close: () => toggle(false) };
  }
  if (document.body) boot();
  else document.addEventListener('DOMContentLoaded', boot);
})();

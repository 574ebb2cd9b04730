import type { DictKey, TFn } from '../i18n';

export interface MsgLike { seq: number; senderType: string; senderId?: string | null; type: string; body: unknown; createdAt: string; recalledAt?: string | null }

export type Body = Record<string, unknown>;
export const bodyOf = (m: { body: unknown }): Body => (m.body && typeof m.body === 'object' ? (m.body as Body) : {});
const str = (v: unknown): string => (typeof v === 'string' ? v : v == null ? '' : String(v));

/** Text of a system event (agent joined, transferred, closed, survey …), with names filled in. */
export function systemText(body: Body, t: TFn, nameOf: (id: string | null | undefined) => string): string {
  switch (body.event) {
    case 'agent_joined': return t('sys.agentJoined', { name: nameOf(str(body.agentId)) });
    case 'transferred':
      if (body.kind === 'reassign' && body.reason) return t('sys.requeued', { from: nameOf(str(body.fromAgentId)), reason: t(`xfer.reason.${str(body.reason)}` as DictKey) });
      return (body.kind === 'reassign' ? t('sys.reassignedPrefix') : '') + (body.toAgentId
        ? t('sys.transferredAgent', { from: nameOf(str(body.fromAgentId)), to: nameOf(str(body.toAgentId)) }) + (body.note ? t('sys.note', { note: str(body.note) }) : '')
        : t('sys.transferredGroup', { from: nameOf(str(body.fromAgentId)), group: str(body.toSkillGroupName ?? body.toSkillGroupId) }) + (body.note ? t('sys.note', { note: str(body.note) }) : ''));
    case 'transfer_offered':
      return t('sys.transferOffered', { from: nameOf(str(body.fromAgentId)), to: nameOf(str(body.toAgentId)) }) + (body.note ? t('sys.note', { note: str(body.note) }) : '');
    case 'transfer_accepted':
      return t('sys.transferAccepted', { to: nameOf(str(body.toAgentId)) });
    case 'transfer_declined':
      return t('sys.transferDeclined', { to: nameOf(str(body.toAgentId)) }) + (body.reason ? t('sys.reason', { reason: str(body.reason) }) : '');
    case 'transfer_expired':
      return t('sys.transferExpired', { to: nameOf(str(body.toAgentId)) });
    case 'transfer_cancelled':
      return t('sys.transferCancelled', { to: nameOf(str(body.toAgentId)) }) + (body.reason ? t('sys.reason', { reason: str(body.reason) }) : '');
    case 'transfer_note':
      return t('sys.transferNote', { note: str(body.note) });
    case 'closed': return t('sys.closed', { by: t(`sys.by.${str(body.by) || 'system'}` as DictKey), reason: str(body.reason) });
    case 'survey_requested': return t('sys.survey', { prompt: str(body.prompt) });
    case 'offline_form': return t('sys.offlineForm');
    case 'ended': return t('sys.ended');
    case 'transfer_requested': return t('sys.transferRequested', { rule: str(body.rule) });
    case 'sla_breached': return t('sys.slaBreached', { sec: str(body.slaSec) });
    default: return str(body.text) || str(body.event) || t('sys.event');
  }
}

/** One line for lists: the message's text or its kind. */
export function previewOf(m: MsgLike, t: TFn, nameOf: (id: string | null | undefined) => string = () => ''): string {
  if (m.recalledAt) return t('msg.recalled');
  const b = bodyOf(m);
  switch (m.type) {
    case 'text': return str(b.text);
    case 'rich_text': return str(b.html).replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim();
    case 'image': return `[${t('msg.image')}]`;
    case 'file': return `[${t('msg.file')}] ${str(b.name)}`;
    case 'card': return `[${t('msg.card')}] ${str(b.title)}`;
    case 'audio': return `[${t('msg.audio')}]`;
    case 'video': return `[${t('msg.video')}]`;
    case 'system': return systemText(b, t, nameOf);
    default: return `[${m.type}]`;
  }
}

export function fileSize(n: unknown): string {
  const v = typeof n === 'number' ? n : NaN;
  if (!Number.isFinite(v)) return '';
  if (v < 1024) return `${v} B`;
  if (v < 1024 * 1024) return `${(v / 1024).toFixed(1)} KB`;
  return `${(v / 1024 / 1024).toFixed(1)} MB`;
}

const ALLOWED = new Set(['B', 'STRONG', 'I', 'EM', 'U', 'P', 'BR', 'UL', 'OL', 'LI', 'A', 'SPAN', 'DIV', 'CODE', 'PRE', 'BLOCKQUOTE', 'H1', 'H2', 'H3', 'H4', 'IMG', 'TABLE', 'TR', 'TD', 'TH', 'TBODY', 'THEAD']);

/** Rich text from a channel: keeps simple formatting tags, drops scripts, handlers and javascript: URLs. */
export function sanitizeHtml(html: string): string {
  const doc = new DOMParser().parseFromString(`<div>${html}</div>`, 'text/html');
  const walk = (el: Element) => {
    for (const child of [...el.children]) {
      if (['SCRIPT', 'STYLE', 'IFRAME', 'OBJECT', 'EMBED', 'TEMPLATE'].includes(child.tagName)) { child.remove(); continue; }
      walk(child); // descendants first, so what moves up below is already clean
      if (!ALLOWED.has(child.tagName)) { child.replaceWith(...child.childNodes); continue; }
      for (const attr of [...child.attributes]) {
        const name = attr.name.toLowerCase();
        const keep = (name === 'href' || name === 'src') ? /^(https?:|data:image\/)/i.test(attr.value.trim()) : name === 'alt' || name === 'title';
        if (!keep) child.removeAttribute(attr.name);
      }
      if (child.tagName === 'A') { child.setAttribute('target', '_blank'); child.setAttribute('rel', 'noopener noreferrer'); }
    }
  };
  const root = doc.body.firstElementChild!;
  walk(root);
  return root.innerHTML;
}

export const newClientId = () => `ui-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;

export function readAsDataUrl(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result));
    r.onerror = () => reject(r.error ?? new Error('read failed'));
    r.readAsDataURL(file);
  });
}

/** Tag colour of each conversation status. */
export const STATUS_TAG: Record<string, string> = { self_service: 'cyan', bot: 'purple', queued: 'orange', assigned: 'blue', survey: 'gold', offline: 'default', ended: 'default' };

/** The demo page: a small shop site that embeds the widget, with a few pages so the visitor trail fills up. */

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const PAGES: Record<string, { title: string; heading: string; body: string }> = {
  home: {
    title: '星河数码商城 · 首页',
    heading: '新品上市：星河 Pro 无线耳机',
    body: '主动降噪、40 小时续航、支持快充。下单即享 7 天无理由退货与一年质保。 Active noise cancelling, 40 h battery, 7-day returns.',
  },
  products: {
    title: '星河数码商城 · 全部商品',
    heading: '全部商品 All products',
    body: '耳机、智能手表、移动电源与配件，满 199 元包邮。 Headphones, watches, power banks and accessories — free shipping over ¥199.',
  },
  help: {
    title: '星河数码商城 · 帮助中心',
    heading: '帮助中心 Help centre',
    body: '如何退货？登录后在订单页点击“申请退货”。还有问题？点击右下角的在线客服。 Questions? Chat with us at the bottom right.',
  },
};

export function demoPage(opts: { channel: string; lang: 'en' | 'zh' | null; page: string }): string {
  const page = PAGES[opts.page] ?? PAGES.home!;
  const q = (p: string) => `?channel=${encodeURIComponent(opts.channel)}&amp;page=${p}${opts.lang ? `&amp;lang=${opts.lang}` : ''}`;
  const nav = Object.keys(PAGES).map((p) => `<a href="${q(p)}"${p === opts.page ? ' class="on"' : ''}>${{ home: '首页 Home', products: '商品 Products', help: '帮助 Help' }[p]}</a>`).join('');
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(page.title)}</title>
<style>
  body{margin:0;font:15px/1.6 -apple-system,"Segoe UI","PingFang SC","Microsoft YaHei","Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif;color:#1f2329;background:#f7f8fa}
  header{background:#fff;border-bottom:1px solid #eceef2;padding:14px 24px;display:flex;gap:24px;align-items:center;flex-wrap:wrap}
  header b{font-size:18px;color:#1677ff}
  nav a{color:#4b5563;text-decoration:none;margin-right:16px}
  nav a.on{color:#1677ff;font-weight:600}
  main{max-width:880px;margin:32px auto;padding:0 24px}
  .hero{background:linear-gradient(135deg,#e6f0ff,#fff);border-radius:16px;padding:36px;box-shadow:0 1px 3px rgba(0,0,0,.05)}
  h1{margin:0 0 12px;font-size:26px}
  .grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(180px,1fr));gap:16px;margin-top:24px}
  .grid div{background:#fff;border-radius:12px;padding:18px;box-shadow:0 1px 3px rgba(0,0,0,.05);border-left:4px solid #1677ff}
  .grid small{color:#6b7280}
  footer{color:#9aa1ad;font-size:12px;text-align:center;padding:40px}
</style>
</head>
<body>
<header><b>星河数码 Galaxy</b><nav>${nav}</nav></header>
<main>
  <section class="hero"><h1>${esc(page.heading)}</h1><p>${esc(page.body)}</p></section>
  <div class="grid"><div><b>顺丰包邮</b><br><small>Free shipping</small></div><div><b>7 天无理由退货</b><br><small>7-day returns</small></div><div><b>一年质保</b><br><small>1-year warranty</small></div></div>
</main>
<footer>Kefu Hub web widget demo · channel ${esc(opts.channel)}</footer>
<script src="widget.js" data-channel="${esc(opts.channel)}"${opts.lang ? ` data-lang="${opts.lang}"` : ''} async></script>
</body>
</html>
`;
}

export function missingChannelPage(): string {
  return `<!doctype html><meta charset="utf-8"><title>Kefu Hub widget demo</title>
<body style="font:15px/1.6 sans-serif;max-width:640px;margin:48px auto;padding:0 24px">
<h1>Web widget demo</h1>
<p>Open this page with a web-widget channel key: <code>/plugins/web-widget/demo?channel=ch_…</code>.
<code>npm start</code> prints the demo workspace's link; an admin finds a channel's key in <code>{ channels { name publicKey } }</code>.</p>
<p>演示页需要渠道参数：<code>?channel=ch_…</code>（<code>npm start</code> 会打印演示工作区的链接）。</p>
<p>Embed it on your own site with:</p>
<pre>&lt;script src="https://your-hub/plugins/web-widget/widget.js" data-channel="ch_…" async&gt;&lt;/script&gt;</pre>
</body>`;
}

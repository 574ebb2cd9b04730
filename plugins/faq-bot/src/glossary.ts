/**
 * A small English ↔ Chinese glossary of customer-service vocabulary. Knowledge bases are mostly
 * written in Chinese with an English variant or two; with the glossary an English question also
 * meets an entry's Chinese forms (refund ↔ 退款), and a Chinese question its English forms, at a
 * reduced weight (see retrieval.ts). General shop vocabulary only, as for the built-in synonyms.
 *
 * Left: English words (stemmed when loaded); right: Chinese words as the segmenter cuts them.
 */
import { stem } from './tokenize.ts';

const PAIRS: readonly [string[], string[]][] = [
  [['order'], ['订单']],
  [['cancel'], ['取消']],
  [['address'], ['地址', '收货地址']],
  [['change', 'modify', 'edit', 'update'], ['修改', '更换']],
  [['status', 'progress'], ['状态', '进度']],
  [['track', 'tracking'], ['物流', '单号']],
  [['package'], ['快递']],
  [['ship'], ['发货']],
  [['deliver', 'delivery'], ['配送', '送达', '送货']],
  [['arrive', 'receive'], ['收到', '到货']],
  [['fee', 'cost', 'shipping fee'], ['运费', '费用']],
  [['free'], ['免费', '包邮']],
  [['courier'], ['快递公司']],
  [['day', 'days'], ['天']],
  [['long', 'soon'], ['多久']],
  [['when'], ['什么时候']],
  [['where'], ['哪里']],
  [['return'], ['退货', '退']],
  [['refund'], ['退款']],
  [['exchange', 'swap'], ['换货', '换']],
  [['size'], ['尺码']],
  [['color'], ['颜色']],
  [['money'], ['钱']],
  [['pay', 'payment'], ['支付']],
  [['charge', 'charged', 'deduct'], ['扣款', '扣']],
  [['twice', 'double'], ['两次', '重复']],
  [['card'], ['卡']],
  [['credit'], ['信用卡']],
  [['installment', 'monthly'], ['分期']],
  [['cash'], ['货到付款', '现金']],
  [['balance', 'wallet'], ['余额']],
  [['withdraw'], ['提现', '撤销']],
  [['transfer'], ['转账']],
  [['company', 'business', 'corporate'], ['公司', '企业']],
  [['invoice', 'receipt'], ['发票']],
  [['vat'], ['增值税', '专票']],
  [['tax'], ['税号']],
  [['account'], ['账号']],
  [['password'], ['密码']],
  [['phone', 'mobile'], ['手机号', '电话']],
  [['login'], ['登录']],
  [['register'], ['注册']],
  [['delete', 'remove', 'close'], ['删除', '注销']],
  [['hack', 'hacked', 'stolen'], ['被盗', '盗']],
  [['privacy', 'personal', 'data'], ['个人信息', '隐私']],
  [['merge', 'combine', 'together'], ['合并', '一起']],
  [['coupon'], ['优惠券']],
  [['promo code'], ['优惠码']],
  [['point', 'points'], ['积分']],
  [['expire', 'expired', 'valid'], ['过期', '有效期']],
  [['gift'], ['礼品', '礼物']],
  [['discount'], ['优惠', '折扣']],
  [['flash'], ['秒杀']],
  [['member', 'membership'], ['会员']],
  [['benefit', 'perk'], ['权益', '福利', '好处']],
  [['renew', 'renewal'], ['续费']],
  [['birthday'], ['生日']],
  [['warranty', 'guarantee'], ['保修', '质保']],
  [['repair'], ['维修']],
  [['defective', 'quality'], ['质量', '质量问题']],
  [['install', 'installation'], ['安装']],
  [['manual', 'instruction', 'instructions'], ['说明书', '说明']],
  [['genuine', 'authentic', 'real', 'fake'], ['正品', '假货']],
  [['complaint', 'complain'], ['投诉']],
  [['hour', 'hours', 'open'], ['时间', '工作时间']],
  [['contact', 'call'], ['联系']],
  [['trade'], ['以旧换新']],
  [['stock', 'available'], ['有货', '缺货', '现货']],
  [['restock'], ['补货']],
  [['review', 'rating'], ['评价']],
  [['cart'], ['购物车']],
  [['price'], ['价格']],
  [['student'], ['学生']],
  [['store', 'shop'], ['门店', '实体店']],
  [['pickup', 'collect'], ['自提', '上门取件']],
  [['bulk', 'wholesale'], ['批量', '采购']],
  [['damage', 'damaged', 'crushed'], ['破损', '损坏']],
  [['missing'], ['少件', '漏发']],
  [['wrong'], ['错']],
  [['split', 'separate'], ['拆', '分开']],
  [['preorder'], ['预售']],
  [['deposit'], ['定金']],
  [['note', 'message', 'remark'], ['备注', '留言']],
  [['unpaid'], ['未付款', '待付款']],
  [['international', 'overseas', 'abroad', 'foreign'], ['海外', '国外', '境外']],
  [['remote'], ['偏远']],
  [['express', 'urgent', 'fast'], ['加急']],
  [['refuse', 'reject', 'rejected', 'denied'], ['拒收', '拒绝']],
  [['approve', 'approved'], ['审核']],
  [['size guide', 'chart'], ['尺码表']],
  [['spec', 'specification', 'material'], ['参数', '材质']],
  [['safe', 'safety', 'certified'], ['安全', '认证']],
  [['kid', 'kids', 'child', 'children', 'baby'], ['儿童', '婴儿']],
  [['app'], ['app', '客户端']],
  [['download'], ['下载']],
  [['email'], ['邮箱']],
  [['nickname', 'username', 'avatar', 'profile'], ['昵称', '头像']],
];

/**
 * English words customers use for the same thing in a shop (general vocabulary, like PAIRS). A
 * question word also meets the other words of its group, at a reduced weight (retrieval.ts).
 */
const RELATED: readonly string[][] = [
  ['ship', 'deliver', 'dispatch', 'post'],
  ['spend', 'use', 'redeem', 'apply'],
  ['collect', 'pickup', 'pick'],
  ['separate', 'split', 'several', 'multiple', 'different'],
  ['wrong', 'incorrect', 'mistake', 'error', 'mistaken'],
  ['fail', 'failed', 'decline', 'declined', 'unsuccessful', 'error'],
  ['find', 'see', 'show', 'appear', 'locate'],
  ['stuck', 'delay', 'delayed', 'late', 'slow'],
  ['damage', 'damaged', 'broken', 'crushed', 'smashed', 'dented', 'cracked'],
  ['abroad', 'overseas', 'international', 'foreign'],
  ['fee', 'cost', 'charge', 'price'],
  ['quick', 'fast', 'soon', 'quickly'],
  ['receive', 'arrive', 'arrival'],
  ['company', 'courier', 'carrier'],
  ['item', 'product', 'goods', 'thing', 'stuff'],
  ['home', 'house', 'door', 'doorstep'],
  ['number', 'hotline', 'phone'],
  ['join', 'become', 'subscribe', 'enroll', 'enrol'],
  ['policy', 'rule', 'rules', 'terms'],
  ['problem', 'issue', 'trouble'],
  ['buy', 'order', 'purchase'],
  ['money', 'cash', 'fund', 'funds'],
  ['change', 'modify', 'edit', 'update', 'correct'],
  ['ask', 'request', 'apply'],
  ['long', 'days', 'time'],
];

/** Stemmed English word (or phrase) → Chinese words, and Chinese word → English stems. */
export interface Glossary {
  en: Map<string, string[]>;
  zh: Map<string, string[]>;
  /** Stemmed English word → stems of the words RELATED to it. */
  related: Map<string, string[]>;
}

function build(): Glossary {
  const en = new Map<string, string[]>();
  const zh = new Map<string, string[]>();
  const push = (m: Map<string, string[]>, k: string, v: string) => {
    const l = m.get(k);
    if (!l) m.set(k, [v]);
    else if (!l.includes(v)) l.push(v);
  };
  for (const [ens, zhs] of PAIRS) {
    const stems = ens.map((e) => e.split(' ').map(stem).join(' '));
    for (const s of stems) for (const z of zhs) push(en, s, z);
    for (const z of zhs) for (const s of stems) if (!s.includes(' ')) push(zh, z, s);
  }
  const related = new Map<string, string[]>();
  for (const group of RELATED) {
    const stems = group.map(stem);
    for (const a of stems) for (const b of stems) if (a !== b) push(related, a, b);
  }
  return { en, zh, related };
}

export const GLOSSARY: Glossary = build();

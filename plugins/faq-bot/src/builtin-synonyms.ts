/**
 * Synonyms every e-commerce workspace starts with (config `builtinSynonyms`, on by default): common
 * misspellings (帐号/账号, 登陆/登录, 优惠卷/优惠券) and customer-service words that mean the same in a
 * shop's questions (邮费/运费, 付款/支付, parcel/package). A workspace's own synonyms (GraphQL
 * `setFaqBotSynonyms`) are added on top and win for the same word.
 *
 * Rules for this list: only general vocabulary, never phrases of one knowledge base; no single Han
 * character (it would rewrite the inside of other words); the term is the form knowledge bases
 * usually use.
 */
import type { Synonym } from './tokenize.ts';

export const BUILTIN_SYNONYMS: readonly Synonym[] = [
  // misspellings and variant characters
  { term: '订单', synonyms: ['定单'] },
  { term: '账号', synonyms: ['帐号', '账户', '帐户'] },
  { term: '登录', synonyms: ['登陆', '登入'] },
  { term: '优惠券', synonyms: ['优惠卷', '代金券', '抵用券', '折扣券'] },
  { term: '充值', synonyms: ['冲值'] },
  // same meaning in customer questions
  { term: '取消', synonyms: ['撤销', '撤回', '撤单'] },
  { term: '支付', synonyms: ['付款', '付钱', '付费'] },
  { term: '运费', synonyms: ['邮费', '快递费', '配送费', '运输费'] },
  { term: '退款', synonyms: ['退钱', '返款'] },
  { term: '收货地址', synonyms: ['收件地址', '送货地址', '配送地址'] },
  { term: '商品', synonyms: ['东西', '宝贝', '产品', '物品'] },
  { term: '维修', synonyms: ['修理', '报修'] },
  { term: '价格', synonyms: ['价钱', '标价', '售价'] },
  { term: '评价', synonyms: ['评论', '点评'] },
  { term: '手机号', synonyms: ['手机号码'] },
  { term: '什么时候', synonyms: ['啥时候', '何时', '几时'] },
  { term: '多久', synonyms: ['多长时间', '多少天', '几天'] },
  { term: '快递', synonyms: ['快件', '包裹'] },
  { term: '发货', synonyms: ['出货', '寄出'] },
  // English
  { term: 'refund', synonyms: ['money back', 'reimbursement', 'reimburse'] },
  { term: 'package', synonyms: ['parcel', 'parcels', 'packages', 'shipment', 'shipments'] },
  { term: 'order', synonyms: ['purchase', 'purchases', 'purchased'] },
  { term: 'repair', synonyms: ['fix', 'fixed', 'repaired', 'repairs'] },
  { term: 'defective', synonyms: ['faulty', 'broken'] },
  { term: 'login', synonyms: ['log in', 'log on', 'logon', 'sign in', 'signin'] },
  { term: 'register', synonyms: ['sign up', 'signup', 'create an account'] },
  { term: 'coupon', synonyms: ['coupons', 'voucher', 'vouchers'] },
  { term: 'promo code', synonyms: ['discount code', 'coupon code', 'promotion code'] },
  { term: 'email', synonyms: ['e mail'] },
  { term: 'app', synonyms: ['mobile app'] },
  { term: 'ship', synonyms: ['dispatch', 'dispatched', 'send out', 'sent out'] },
];

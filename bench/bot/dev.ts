/**
 * The development set the FAQ bot's parameters were chosen on — not the evaluation set:
 *  - leave-one-variant-out over bench/bot/kb.json: each question form in turn is removed from its
 *    entry and asked (the entry keeps its other forms);
 *  - DEV_OUT_OF_SCOPE below: out-of-scope questions that are not in bench/bot/eval.json.
 *
 *   node bench/bot/dev.ts ['{"unionWeight":1,"weights":{"u":0.35}}'] [threshold]
 *
 * The optional JSON overrides retrieval parameters (RetrievalParams) and feature-class weights, to
 * compare settings; prints top-1/top-3 (overall, Chinese, English), the share answered at the
 * threshold with its precision, and the dev false answers.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUILTIN_SYNONYMS } from '../../plugins/faq-bot/src/builtin-synonyms.ts';
import { DEFAULT_THRESHOLD, confidenceOf } from '../../plugins/faq-bot/src/matcher.ts';
import { buildIndex, search, type KnowledgeItem, type RetrievalParams } from '../../plugins/faq-bot/src/retrieval.ts';
import { FEATURE_WEIGHTS, SynonymTable } from '../../plugins/faq-bot/src/tokenize.ts';

export const DEV_OUT_OF_SCOPE = [
  '股票怎么买', '你们几点关门吃饭', '帮我订一张机票', '怎么做红烧肉', '给我唱首歌', '你多大了', 'what time is it', 'sing me a song', 'book me a flight',
  'how old are you', '你们的logo是什么意思', '我想应聘客服', 'where is your headquarters', '火车票怎么改签', '我的电脑蓝屏了', 'who is the president',
  '今天是星期几', '能陪我聊天吗', 'how is the stock market today', '你们公司在哪个城市', '我想投资你们公司', '你们支持比特币吗', '怎么注册公司',
  '信用卡还款日是哪天', 'how do I reset my router', 'can you recommend a restaurant', '手机话费怎么充', '我要办宽带', 'is it going to snow', 'what is your name',
];

const HERE = dirname(fileURLToPath(import.meta.url));
const isEnglish = (q: string) => /^[\x20-\x7e]+$/.test(q);

export interface DevResult {
  questions: number; top1: number; top1Zh: number; top1En: number; top3: number; answered: number; precision: number;
  oos: number; oosFalseAnswers: number; falseAnswers: string[];
}

/** Leave-one-variant-out over the demo knowledge base and the dev out-of-scope questions, at a threshold. */
export function devSet(threshold = DEFAULT_THRESHOLD, params: Partial<RetrievalParams> = {}): DevResult {
  const kb = JSON.parse(readFileSync(join(HERE, 'kb.json'), 'utf8')) as KnowledgeItem[];
  const synonyms = new SynonymTable(BUILTIN_SYNONYMS);
  let n = 0, top1 = 0, top3 = 0, answered = 0, right = 0;
  const lang = { zh: [0, 0], en: [0, 0] };
  for (let e = 0; e < kb.length; e++) {
    const forms = [kb[e]!.question, ...kb[e]!.variants];
    for (let v = 0; v < forms.length; v++) {
      const rest = forms.filter((_, j) => j !== v);
      const items = kb.map((x, i) => (i !== e ? x : { ...x, question: rest[0]!, variants: rest.slice(1) }));
      const { hits } = search(buildIndex(items, { synonyms, params }), forms[v]!, 3, params);
      const ok = hits[0]?.item.id === kb[e]!.id;
      n++;
      if (ok) top1++;
      if (hits.some((h) => h.item.id === kb[e]!.id)) top3++;
      const l = isEnglish(forms[v]!) ? lang.en : lang.zh;
      l[0]!++;
      if (ok) l[1]!++;
      if (confidenceOf(hits[0], hits[1]) >= threshold) {
        answered++;
        if (ok) right++;
      }
    }
  }
  const index = buildIndex(kb, { synonyms, params });
  const falseAnswers = DEV_OUT_OF_SCOPE.filter((q) => {
    const { hits } = search(index, q, 3, params);
    return confidenceOf(hits[0], hits[1]) >= threshold;
  });
  const pct = (a: number, b: number) => Math.round((a / Math.max(1, b)) * 1000) / 10;
  return {
    questions: n, top1: pct(top1, n), top1Zh: pct(lang.zh[1]!, lang.zh[0]!), top1En: pct(lang.en[1]!, lang.en[0]!), top3: pct(top3, n),
    answered: pct(answered, n), precision: pct(right, answered), oos: DEV_OUT_OF_SCOPE.length, oosFalseAnswers: pct(falseAnswers.length, DEV_OUT_OF_SCOPE.length), falseAnswers,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const overrides = JSON.parse(process.argv[2] ?? '{}') as Partial<RetrievalParams> & { weights?: Record<string, number> };
  const threshold = Number(process.argv[3] ?? DEFAULT_THRESHOLD);
  const { weights, ...params } = overrides;
  if (weights) Object.assign(FEATURE_WEIGHTS as Record<string, number>, weights);
  const r = devSet(threshold, params);
  console.log(`settings ${JSON.stringify(overrides)}, threshold ${threshold}`);
  console.log(`leave-one-variant-out (${r.questions} questions): top-1 ${r.top1}% (zh ${r.top1Zh}%, en ${r.top1En}%), top-3 ${r.top3}%, answered ${r.answered}% with precision ${r.precision}%`);
  console.log(`dev out-of-scope: ${r.falseAnswers.length}/${r.oos} answered${r.falseAnswers.length ? `: ${r.falseAnswers.join(' | ')}` : ''}`);
}

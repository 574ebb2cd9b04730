/**
 * Synthetic but realistic distractors for the 10,000-entry benchmark: product FAQs (specs, features,
 * colours, suitability, care, differences, box contents, pairing, warranty, installation, origin,
 * launch) and store opening hours, in Chinese and English, generated deterministically from a seed.
 */
import type { KnowledgeItem } from '../../plugins/faq-bot/src/retrieval.ts';
import { seededRandom } from '../seeded-random.ts';

export function distractors(count: number, seed = 20261122): KnowledgeItem[] {
  const rnd = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const brands = [['华为', 'Huawei'], ['小米', 'Xiaomi'], ['苹果', 'Apple'], ['荣耀', 'Honor'], ['联想', 'Lenovo'], ['戴尔', 'Dell'], ['华硕', 'ASUS'], ['美的', 'Midea'],
    ['格力', 'Gree'], ['海尔', 'Haier'], ['西门子', 'Siemens'], ['松下', 'Panasonic'], ['索尼', 'Sony'], ['飞利浦', 'Philips'], ['戴森', 'Dyson'], ['九阳', 'Joyoung'],
    ['苏泊尔', 'Supor'], ['耐克', 'Nike'], ['阿迪达斯', 'Adidas'], ['李宁', 'Li-Ning'], ['安踏', 'Anta'], ['优衣库', 'Uniqlo'], ['波司登', 'Bosideng'], ['兰蔻', 'Lancome'],
    ['欧莱雅', "L'Oreal"], ['三只松鼠', 'Three Squirrels'], ['雀巢', 'Nestle'], ['飞鹤', 'Feihe'], ['皇家', 'Royal Canin'], ['宜家', 'IKEA']] as const;
  const products = [['手机', 'phone'], ['笔记本电脑', 'laptop'], ['平板', 'tablet'], ['蓝牙耳机', 'earbuds'], ['智能手表', 'smartwatch'], ['空调', 'air conditioner'],
    ['冰箱', 'fridge'], ['洗衣机', 'washing machine'], ['电饭煲', 'rice cooker'], ['扫地机器人', 'robot vacuum'], ['吸尘器', 'vacuum cleaner'], ['电动牙刷', 'electric toothbrush'],
    ['吹风机', 'hair dryer'], ['空气净化器', 'air purifier'], ['热水器', 'water heater'], ['微波炉', 'microwave'], ['跑步鞋', 'running shoes'], ['羽绒服', 'down jacket'],
    ['卫衣', 'hoodie'], ['牛仔裤', 'jeans'], ['双肩包', 'backpack'], ['行李箱', 'suitcase'], ['面霜', 'face cream'], ['精华液', 'serum'], ['口红', 'lipstick'],
    ['防晒霜', 'sunscreen'], ['坚果礼盒', 'nut gift box'], ['咖啡豆', 'coffee beans'], ['婴儿奶粉', 'infant formula'], ['纸尿裤', 'diapers'], ['猫粮', 'cat food'],
    ['床垫', 'mattress'], ['办公椅', 'office chair'], ['台灯', 'desk lamp'], ['显示器', 'monitor'], ['机械键盘', 'keyboard'], ['无线鼠标', 'mouse'], ['路由器', 'router'], ['充电宝', 'power bank'], ['电视', 'TV']] as const;
  const attrs = [['电池容量', 'battery capacity'], ['尺寸', 'size'], ['重量', 'weight'], ['功率', 'power'], ['容量', 'capacity'], ['屏幕尺寸', 'screen size'], ['续航时间', 'battery life'],
    ['噪音', 'noise level'], ['额定电压', 'voltage'], ['保质期', 'shelf life'], ['净含量', 'net content'], ['分辨率', 'resolution']] as const;
  const feats = [['快充', 'fast charging'], ['无线充电', 'wireless charging'], ['防水', 'waterproofing'], ['NFC', 'NFC'], ['蓝牙5.3', 'Bluetooth 5.3'], ['WiFi 6', 'WiFi 6'],
    ['变频', 'inverter mode'], ['一级能效', 'energy class A'], ['语音控制', 'voice control'], ['APP远程控制', 'app control'], ['降噪', 'noise cancelling'], ['自动清洁', 'self-cleaning']] as const;
  const colours = ['黑色', '白色', '银色', '蓝色', '粉色', '绿色', '灰色', '金色'];
  const who = ['学生', '老人', '儿童', '敏感肌', '油性皮肤', '小户型', '大家庭', '上班族', '孕妇', '运动爱好者'];
  const cities = ['北京', '上海', '广州', '深圳', '杭州', '成都', '武汉', '南京', '西安', '重庆', '苏州', '天津', '长沙', '郑州', '青岛'];
  const districts = ['朝阳', '海淀', '浦东', '徐汇', '天河', '南山', '西湖', '锦江', '江汉', '鼓楼', '雁塔', '渝中', '姑苏', '和平', '岳麓', '金水', '市南', '万达广场', '万象城', '大悦城'];
  const model = () => `${pick(['', 'Pro ', 'Max ', 'Lite ', 'Plus ', 'Air ', 'S', 'X', 'Mini '])}${pick(['A', 'B', 'C', 'K', 'M', 'T', 'V', 'Z'])}${Math.floor(rnd() * 900) + 10}`;
  const templates: (() => [string, string[], string])[] = [
    () => { const [b] = pick(brands); const [p] = pick(products); const m = model(); const [a] = pick(attrs); return [`${b}${p}${m}的${a}是多少？`, [`${b}${p}${m}${a}多少`, `${p}${m}的${a}`], `${b}${p}${m}的${a}请见商品详情页“规格参数”。`]; },
    () => { const [b] = pick(brands); const [p] = pick(products); const m = model(); const [f] = pick(feats); return [`${b}${p}${m}支持${f}吗？`, [`${p}${m}有没有${f}功能`, `${b}${m}能${f}吗`], `${b}${p}${m}${rnd() < 0.5 ? '支持' : '不支持'}${f}。`]; },
    () => { const [b] = pick(brands); const [p] = pick(products); const m = model(); return [`${b}${p}${m}有哪些颜色？`, [`${p}${m}有几种颜色可选`, `${m}有${pick(colours)}的吗`], `${b}${p}${m}有${pick(colours)}、${pick(colours)}可选。`]; },
    () => { const [b] = pick(brands); const [p] = pick(products); const m = model(); const w = pick(who); return [`${b}${p}${m}适合${w}使用吗？`, [`${w}能用${p}${m}吗`], `${b}${p}${m}适合大多数人使用，${w}请参考详情页说明。`]; },
    () => { const [b] = pick(brands); const [p] = pick(products); const m = model(); return [`${b}${p}${m}怎么清洁保养？`, [`${p}${m}如何清洗`, `${b}${p}脏了怎么处理`], `${b}${p}${m}请用软布擦拭，勿用腐蚀性清洁剂。`]; },
    () => { const [b] = pick(brands); const [p] = pick(products); const m = model(); const m2 = model(); return [`${b}${p}${m}和${m2}有什么区别？`, [`${m}和${m2}哪个好`], `${m}与${m2}的主要区别在配置和尺寸，详见对比页。`]; },
    () => { const [b] = pick(brands); const [p] = pick(products); const m = model(); return [`${b}${p}${m}的包装清单里有什么？`, [`${p}${m}送什么配件`], `${b}${p}${m}包装内含主机、说明书和保修卡。`]; },
    () => { const [b] = pick(brands); const [p] = pick(products); const m = model(); return [`${b}${p}${m}怎么连接手机？`, [`${p}${m}怎么配对`, `${m}连不上手机怎么办`], `打开${b}App，按提示配对${p}${m}。`]; },
    () => { const [b] = pick(brands); const [p] = pick(products); const m = model(); return [`${b}${p}${m}保修多久？`, [`${p}${m}的质保政策`], `${b}${p}${m}整机保修${pick(['一', '两', '三'])}年。`]; },
    () => { const [b] = pick(brands); const [p] = pick(products); const m = model(); return [`${b}${p}${m}需要上门安装吗？`, [`${p}${m}怎么安装`], `${b}${p}${m}${rnd() < 0.5 ? '需要' : '无需'}专业安装。`]; },
    () => { const c = pick(cities); const d = pick(districts); return [`${c}${d}门店的营业时间是几点？`, [`${c}${d}店几点关门`, `${d}门店地址在哪`], `${c}${d}门店营业时间 10:00–22:00。`]; },
    () => { const [b] = pick(brands); const [p] = pick(products); const m = model(); return [`${b}${p}${m}是哪里生产的？`, [`${m}产地是哪`], `${b}${p}${m}产地为中国。`]; },
    () => { const [b] = pick(brands); const [p] = pick(products); const m = model(); return [`${b}${p}${m}什么时候上市？`, [`${m}发布时间`], `${b}${p}${m}已于今年上市。`]; },
    () => { const [, B] = pick(brands); const [, P] = pick(products); const m = model(); const [, f] = pick(feats); return [`Does the ${B} ${P} ${m} support ${f}?`, [`Is ${f} available on the ${P} ${m}?`], `See the ${B} ${P} ${m} product page.`]; },
    () => { const [, B] = pick(brands); const [, P] = pick(products); const m = model(); const [, a] = pick(attrs); return [`What is the ${a} of the ${B} ${P} ${m}?`, [`${P} ${m} ${a}`], `The ${a} of the ${P} ${m} is listed under Specifications.`]; },
    () => { const [, B] = pick(brands); const [, P] = pick(products); const m = model(); return [`What colours does the ${B} ${P} ${m} come in?`, [`${P} ${m} colour options`], `The ${P} ${m} comes in black and white.`]; },
    () => { const [, B] = pick(brands); const [, P] = pick(products); const m = model(); return [`How do I clean the ${B} ${P} ${m}?`, [`${P} ${m} care instructions`], `Wipe the ${P} ${m} with a soft dry cloth.`]; },
    () => { const [, B] = pick(brands); const [, P] = pick(products); const m = model(); return [`How long is the warranty on the ${B} ${P} ${m}?`, [`${P} ${m} warranty`], `The ${B} ${P} ${m} has a one-year warranty.`]; },
    () => { const [, B] = pick(brands); const [, P] = pick(products); const m = model(); return [`What's in the box with the ${B} ${P} ${m}?`, [`${P} ${m} accessories included`], `The ${P} ${m} ships with a cable and a manual.`]; },
  ];
  const out: KnowledgeItem[] = [];
  const seen = new Set<string>();
  while (out.length < count) {
    const [question, variants, answer] = pick(templates)();
    if (seen.has(question)) continue;
    seen.add(question);
    out.push({ id: `syn-${out.length + 1}`, question, variants, answer });
  }
  return out;
}


/**
 * Reference data for the sample shop: where customers live, what they are called, what the shop sells.
 * Weights are rough shares of a Tmall apparel-and-home shop's buyers, not official statistics.
 */

/** [province, weight, cities]; each city's tier (一线 … 四线及以下) is in shared/shop/city-tiers.ts. */
// biome-ignore format: one province per line reads as the table it is
export const PROVINCES: readonly [string, number, readonly string[]][] = [
  ['广东省', 12, ['广州市', '深圳市', '东莞市', '佛山市', '汕头市', '湛江市']],
  ['浙江省', 9, ['杭州市', '宁波市', '温州市', '金华市', '台州市', '丽水市']],
  ['江苏省', 9, ['南京市', '苏州市', '无锡市', '常州市', '徐州市', '宿迁市']],
  ['上海市', 5, ['上海市']],
  ['北京市', 4, ['北京市']],
  ['山东省', 7, ['济南市', '青岛市', '烟台市', '潍坊市', '临沂市', '菏泽市']],
  ['河南省', 5, ['郑州市', '洛阳市', '南阳市', '新乡市', '周口市']],
  ['四川省', 5, ['成都市', '绵阳市', '南充市', '宜宾市']],
  ['湖北省', 4, ['武汉市', '宜昌市', '襄阳市', '荆州市']],
  ['福建省', 4, ['福州市', '厦门市', '泉州市', '漳州市']],
  ['湖南省', 4, ['长沙市', '株洲市', '衡阳市', '岳阳市']],
  ['安徽省', 3, ['合肥市', '芜湖市', '阜阳市']],
  ['河北省', 3, ['石家庄市', '保定市', '唐山市', '邯郸市']],
  ['陕西省', 2.5, ['西安市', '咸阳市', '宝鸡市']],
  ['辽宁省', 2.5, ['沈阳市', '大连市', '鞍山市']],
  ['重庆市', 2.5, ['重庆市']],
  ['天津市', 2, ['天津市']],
  ['江西省', 2, ['南昌市', '赣州市', '九江市']],
  ['广西壮族自治区', 2, ['南宁市', '柳州市', '桂林市']],
  ['云南省', 1.5, ['昆明市', '曲靖市', '大理市']],
  ['山西省', 1.5, ['太原市', '大同市', '运城市']],
  ['黑龙江省', 1.5, ['哈尔滨市', '大庆市', '齐齐哈尔市']],
  ['吉林省', 1, ['长春市', '吉林市']],
  ['贵州省', 1, ['贵阳市', '遵义市']],
  ['内蒙古自治区', 1, ['呼和浩特市', '包头市']],
  ['新疆维吾尔自治区', 0.6, ['乌鲁木齐市', '昌吉市']],
  ['甘肃省', 0.8, ['兰州市', '天水市']],
  ['海南省', 0.8, ['海口市', '三亚市']],
  ['宁夏回族自治区', 0.3, ['银川市']],
  ['青海省', 0.2, ['西宁市']],
  ['西藏自治区', 0.1, ['拉萨市']],
  ['香港特别行政区', 0.3, ['香港']],
  ['海外', 0.4, ['新加坡', '洛杉矶', '伦敦', '悉尼']],
];

/** Time zones of the overseas cities above; every other customer is on the shop's (Asia/Shanghai). */
export const OVERSEAS_TIME_ZONES: Record<string, string> = {
  新加坡: 'Asia/Singapore',
  洛杉矶: 'America/Los_Angeles',
  伦敦: 'Europe/London',
  悉尼: 'Australia/Sydney',
};

export const SURNAMES = [
  ...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦傅方白邹孟熊秦邱江尹薛'.split(
    '',
  ),
  '欧阳',
  '司马',
  '上官',
];
export const GIVEN_NAMES = [
  '静',
  '丽',
  '敏',
  '婷',
  '雪',
  '琳',
  '颖',
  '晓燕',
  '佳怡',
  '思琪',
  '雨欣',
  '梓涵',
  '欣怡',
  '子涵',
  '可馨',
  '诗雨',
  '伟',
  '强',
  '磊',
  '军',
  '洋',
  '勇',
  '杰',
  '涛',
  '浩然',
  '子轩',
  '宇航',
  '俊杰',
  '志强',
  '建华',
  '明',
  '晨',
];

export interface CategoryDef {
  code: string;
  label: string;
  season: 'spring' | 'summer' | 'autumn' | 'winter' | 'all';
  basePrice: number;
  /** Relative demand per calendar month, Jan..Dec. */
  monthly: readonly number[];
  /** Units per line: consumables are bought several at a time. */
  maxQuantity: number;
  /** The category bought with this one most often: a later line of the order is often from it. */
  partner: string;
}

const flat = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1];
// biome-ignore format: one category per line reads as the table it is
export const CATEGORIES: readonly CategoryDef[] = [
  { code: 'tshirt', label: 'T恤', season: 'summer', basePrice: 79, monthly: [0.2, 0.2, 0.5, 1.2, 2.5, 3, 3, 2.2, 1, 0.4, 0.2, 0.2], maxQuantity: 2, partner: 'skirt' },
  { code: 'skirt', label: '半身裙', season: 'summer', basePrice: 139, monthly: [0.2, 0.3, 0.6, 1.2, 2, 2.5, 2.4, 1.8, 0.8, 0.4, 0.2, 0.2], maxQuantity: 1, partner: 'tshirt' },
  { code: 'shirt', label: '衬衫', season: 'spring', basePrice: 129, monthly: [0.5, 1, 1.8, 1.8, 1.2, 0.8, 0.6, 0.8, 1.4, 1.4, 0.8, 0.5], maxQuantity: 1, partner: 'trousers' },
  { code: 'trousers', label: '休闲裤', season: 'all', basePrice: 159, monthly: flat, maxQuantity: 1, partner: 'shirt' },
  { code: 'coat', label: '外套', season: 'autumn', basePrice: 359, monthly: [0.6, 0.6, 1, 0.8, 0.3, 0.1, 0.1, 0.3, 1.5, 2.2, 2, 1], maxQuantity: 1, partner: 'knitwear' },
  { code: 'knitwear', label: '针织衫', season: 'winter', basePrice: 229, monthly: [1.5, 1, 0.8, 0.4, 0.1, 0.1, 0.1, 0.2, 0.8, 1.8, 2.2, 2], maxQuantity: 1, partner: 'coat' },
  { code: 'down-jacket', label: '羽绒服', season: 'winter', basePrice: 599, monthly: [1.2, 0.6, 0.2, 0.1, 0.05, 0.05, 0.05, 0.1, 0.4, 1.5, 3, 2.5], maxQuantity: 1, partner: 'socks' },
  { code: 'socks', label: '袜子', season: 'all', basePrice: 29, monthly: flat, maxQuantity: 5, partner: 'down-jacket' },
  { code: 'detergent', label: '洗衣液', season: 'all', basePrice: 49, monthly: flat, maxQuantity: 3, partner: 'face-mask' },
  { code: 'face-mask', label: '面膜', season: 'all', basePrice: 99, monthly: flat, maxQuantity: 3, partner: 'detergent' },
];

/**
 * Climate zones: warm weather comes earlier and stays longer in the south, later and shorter in the north,
 * so seasonal lines sell a month earlier (summer) or later (autumn, winter) in the south, and the other way
 * round in the north. Provinces not listed are `central`. Rough, by the usual 华南 / 东北·华北·西北 split.
 */
export const CLIMATE_ZONES: Record<'south' | 'north', readonly string[]> = {
  south: ['广东省', '广西壮族自治区', '海南省', '福建省', '云南省', '香港特别行政区'],
  north: [
    '黑龙江省',
    '吉林省',
    '辽宁省',
    '内蒙古自治区',
    '北京市',
    '天津市',
    '河北省',
    '山西省',
    '陕西省',
    '甘肃省',
    '宁夏回族自治区',
    '青海省',
    '新疆维吾尔自治区',
    '西藏自治区',
  ],
};

/** Months a zone's season runs ahead of the central one (summer and spring lines; autumn and winter the other way). */
export const ZONE_LEAD_MONTHS: Record<'south' | 'central' | 'north', number> = {
  south: 1,
  central: 0,
  north: -1,
};

/** Month and day each season's new line launches; all-season lines refresh in March. */
export const LINE_LAUNCH: Record<CategoryDef['season'], [number, number]> = {
  spring: [2, 20],
  summer: [4, 15],
  autumn: [8, 10],
  winter: [10, 1],
  all: [3, 1],
};

/** Acquisition channels and their share of new customers; flash-sale channels bring price-sensitive buyers. */
export const ACQUISITION_CHANNELS: readonly [string, number][] = [
  ['organic', 55],
  ['聚划算', 15],
  ['淘抢购', 10],
  ['天天特价', 8],
  ['直播', 12],
];

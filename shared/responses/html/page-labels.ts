import type { Locale } from '../report-format.ts';

type Model = 'last-touch' | 'first-touch';

/** The HTML report's headings, labels and sentences, in the campaign's locale. */
export interface PageLabels {
  report: string;
  simulated: string;
  headline: string;
  incrementalConversions: string;
  incrementalRevenue: string;
  incrementalRoi: string;
  cost: string;
  treated: string;
  holdout: string;
  /** A group's conversion rate and size: "5.5% of 52,543". */
  group: (rate: string, customers: string) => string;
  nothingToCompare: string;
  /** A comparison whose groups are too small (or empty) to give an estimate. */
  notReadable: string;
  /** The campaign's attributed ROI, under the headline. */
  attributedHeadline: (model: Model, roi: string, revenue: string, cost: string) => string;
  meaning: string;
  waves: string;
  wave: string;
  start: string;
  /** Between a name and what is said of it. */
  colon: string;
  liftChart: string;
  roiChart: string;
  interval: string;
  attributedRoi: (model: Model) => string;
  attributed: (model: Model) => string;
  funnelChart: string;
  regionsChart: string;
  funnelColumns: readonly string[];
  funnelSeries: { sent: string; delivered: string; clicked: string; converted: string };
  totals: (sent: string, revenue: string, cost: string, roi: string) => string;
}

const ZH_MODEL = { 'last-touch': '末次触达', 'first-touch': '首次触达' } as const;
const EN_MODEL = { 'last-touch': 'last-touch', 'first-touch': 'first-touch' } as const;

export const PAGE_LABELS: Record<Locale, PageLabels> = {
  'zh-CN': {
    report: '活动报告',
    simulated: '模拟数据：这些数字来自本机模拟运行中的模拟受众，并非真实顾客的反应。',
    headline: '活动真正带来的增量（所有波次合计，与对照组相比）',
    incrementalConversions: '增量转化',
    incrementalRevenue: '增量收入',
    incrementalRoi: '增量 ROI',
    cost: '成本',
    treated: '实验组转化率',
    holdout: '对照组转化率',
    group: (rate, customers) => `${rate}（${customers} 人）`,
    nothingToCompare: '尚无可比较的分组',
    notReadable: '还不能判断',
    attributedHeadline: (m, roi, revenue, cost) =>
      `归因 ROI（${ZH_MODEL[m]}）：${roi}（归因收入 ${revenue}，成本 ${cost}；仅供参考，不代表活动带来的效果）`,
    meaning: '这些数字的含义',
    waves: '各波次（按开始时间排列）',
    wave: '波次',
    start: '开始时间',
    colon: '：',
    liftChart: '各波次的增量转化（误差线为 95% 区间）',
    roiChart: '各波次的增量 ROI（误差线为 95% 区间）',
    interval: '95% 区间',
    attributedRoi: (m) => `归因 ROI（${ZH_MODEL[m]}）`,
    attributed: (m) => `归因（${ZH_MODEL[m]}）：仅供参考，不代表活动带来的效果`,
    funnelChart: '各波次漏斗',
    regionsChart: '按省份的归因收入（前六名，按日）',
    funnelColumns: [
      '波次',
      '人群',
      '渠道',
      '版本',
      '发送',
      '送达',
      '打开',
      '点击',
      '转化',
      '归因收入',
      '成本',
      'ROI',
    ],
    funnelSeries: { sent: '发送', delivered: '送达', clicked: '点击', converted: '转化' },
    totals: (sent, revenue, cost, roi) =>
      `合计：发送 ${sent} 条，归因收入 ${revenue}，成本 ${cost}，归因 ROI ${roi}。`,
  },
  en: {
    report: 'campaign report',
    simulated:
      'SIMULATED responses: these figures come from the simulated audience of a run on one machine, not from real customers.',
    headline: 'What the campaign caused (all waves together, against the holdout)',
    incrementalConversions: 'Incremental conversions',
    incrementalRevenue: 'Incremental revenue',
    incrementalRoi: 'Incremental ROI',
    cost: 'Cost',
    treated: 'Treated conversion',
    holdout: 'Holdout conversion',
    group: (rate, customers) => `${rate} of ${customers}`,
    nothingToCompare: 'nothing to compare yet',
    notReadable: 'too small to read',
    attributedHeadline: (m, roi, revenue, cost) =>
      `Attributed ROI (${EN_MODEL[m]}): ${roi} (attributed revenue ${revenue} on ${cost} cost; credit, not cause)`,
    meaning: 'What these figures mean',
    waves: 'Waves, in order of their start',
    wave: 'Wave',
    start: 'Start',
    colon: ': ',
    liftChart: 'Incremental conversions per wave (error bars: 95% intervals)',
    roiChart: 'Incremental ROI per wave (error bars: 95% intervals)',
    interval: '95% interval',
    attributedRoi: (m) => `Attributed ROI (${EN_MODEL[m]})`,
    attributed: (m) => `Attributed (${EN_MODEL[m]}): credit for orders after a touch, not proof of cause`,
    funnelChart: 'Funnel per wave',
    regionsChart: 'Attributed revenue by province and day (top six)',
    funnelColumns: [
      'Wave',
      'Segment',
      'Channel',
      'Variant',
      'Sent',
      'Delivered',
      'Opened',
      'Clicked',
      'Converted',
      'Attributed revenue',
      'Cost',
      'ROI',
    ],
    funnelSeries: { sent: 'sent', delivered: 'delivered', clicked: 'clicked', converted: 'converted' },
    totals: (sent, revenue, cost, roi) =>
      `Total: ${sent} sent, ${revenue} attributed revenue, ${cost} cost, attributed ROI ${roi}.`,
  },
};

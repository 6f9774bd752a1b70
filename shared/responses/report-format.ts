import type { Interval, Lift } from './campaign-report.ts';

/**
 * How the report writes its figures, in the terminal and in the HTML page alike: money with the
 * currency's sign and thousands separators, rates as percents, intervals as [low, high], and the words
 * that say what incremental and attributed ROI mean, in the campaign's language.
 */
export type Locale = 'zh-CN' | 'en';

const SIGNS: Record<string, string> = { CNY: '¥', USD: '$', EUR: '€', JPY: '¥', HKD: 'HK$', GBP: '£' };

export function money(x: number, currency: string): string {
  const sign = SIGNS[currency] ?? `${currency} `;
  const text = Math.abs(x).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return `${x < 0 ? '−' : ''}${sign}${text}`;
}

export const count = (x: number) => Math.round(x).toLocaleString('en-US').replace('-', '−');
export const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
export const times = (x: number) => `${x.toFixed(1).replace('-', '−')}×`;

export function interval(i: Interval | null, show: (x: number) => string): string {
  return i ? `${show(i.estimate)} [${show(i.low)}, ${show(i.high)}]` : '-';
}

/** The lift's headline in words, or why there is none. */
export function liftSummary(l: Lift | null, currency: string, locale: Locale): string {
  if (!l) return locale === 'zh-CN' ? '尚无可比较的分组' : 'nothing to compare yet';
  if (!l.readable) return l.note ?? '';
  const roi = l.incrementalRoi ? interval(l.incrementalRoi, times) : '-';
  return locale === 'zh-CN'
    ? `增量收入 ${interval(l.incrementalRevenue, (x) => money(x, currency))}，成本 ${money(l.cost, currency)}，增量 ROI ${roi}`
    : `incremental revenue ${interval(l.incrementalRevenue, (x) => money(x, currency))} on ${money(l.cost, currency)} cost: incremental ROI ${roi}`;
}

/** What the two ROIs mean, for a reader who has not read the docs. */
export const ROI_EXPLAINED: Record<Locale, { incremental: string; attributed: string; intervals: string }> = {
  'zh-CN': {
    incremental:
      '增量 ROI = 增量收入 ÷ 成本。增量收入是活动真正带来的收入：被选中发送的顾客（包括因频控、退订等未能送达的）比同期随机留出、未收到消息的对照组（holdout）多买的部分。决策请看这个数。',
    attributed:
      '归因 ROI = 归因收入 ÷ 成本。归因收入是顾客在点击、打开或收到消息后的窗口内下的全部订单，无论没有消息是否也会购买，所以通常偏高，仅供参考。',
    intervals:
      '方括号为 95% 置信区间：区间跨过 0 表示还不能确定活动有效果。对照组太小时不给出区间，只显示所需的人数。',
  },
  en: {
    incremental:
      'Incremental ROI = incremental revenue ÷ cost. Incremental revenue is what the campaign caused: how much more the customers it chose to message bought (those a cap or an opt-out then kept it from reaching included) than a random holdout that got nothing, over the same days. Decide on this one.',
    attributed:
      'Attributed ROI = attributed revenue ÷ cost. Attributed revenue is every order placed in a window after a click, open or delivery, whether or not the message caused it, so it is usually higher; read it as credit, not cause.',
    intervals:
      'Brackets are 95% intervals: an interval that spans 0 means the campaign has not shown an effect yet. Where the holdout is too small to read, no interval is given, only what it would take.',
  },
};

/** The currency's sign as `money` writes it (for charts that format their own axis labels). */
export const currencySign = (currency: string) => SIGNS[currency] ?? `${currency} `;

/**
 * Why a lift has no estimate, or what its estimate leaves out (`Lift.unread`), in the reader's language;
 * with the smallest effect the groups could detect when there is no estimate. Null when everything was
 * compared.
 */
export function liftNote(
  l: Pick<Lift, 'unread' | 'readable' | 'minimumDetectable'>,
  locale: Locale,
): string | null {
  const u = l.unread;
  if (!u) return null;
  const zh = locale === 'zh-CN';
  const mde =
    !l.readable && l.minimumDetectable !== null && u.reason !== 'all-converted'
      ? zh
        ? `；在这样的人数下，能检测到的最小增量约为 ${count(l.minimumDetectable)} 次转化（5% 显著性，80% 检验力）`
        : `; the smallest effect groups this size could detect is about ${count(l.minimumDetectable)} conversions (5% significance, 80% power)`
      : '';
  switch (u.reason) {
    case 'partly-compared':
      return zh
        ? `${count(u.notCompared)} 位实验组顾客未参与比较：他们对应的对照组太小`
        : `${count(u.notCompared)} treated customers not compared: their holdout was too small to read`;
    case 'no-holdout':
      return zh ? `没有对照组可比较${mde}` : `no holdout to compare with${mde}`;
    case 'no-conversions':
      return zh ? `两组都还没有转化${mde}` : `no conversions in either group yet${mde}`;
    case 'all-converted':
      return zh
        ? '两组顾客全部转化，无差异可判断'
        : 'every customer of both groups converted: there is no difference to read';
    case 'too-small': {
      const expected = u.expected.toFixed(1);
      if (zh) {
        const who = u.group === 'holdout' ? '对照组' : '实验组';
        const what = u.outcome === 'conversions' ? '次转化' : '位未转化顾客';
        return `${who}只有 ${count(u.customers)} 人，按 ${pct(u.rate)} 的转化率预计只有 ${expected} ${what}，太少，无法判断；每组约需 ${count(u.needed)} 人${mde}`;
      }
      const who = u.group === 'holdout' ? 'holdout' : 'treated group';
      const what = u.outcome === 'conversions' ? 'conversions' : 'customers who did not convert';
      return `${who} too small to read: ${count(u.customers)} customers at a ${pct(u.rate)} conversion rate expect ${expected} ${what}; reading it takes about ${count(u.needed)} customers in each group${mde}`;
    }
  }
}

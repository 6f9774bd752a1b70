import type { z } from 'zod';
import {
  readsVariable,
  renderWithinLimits,
  sandboxedLiquid,
  templateErrorMessage,
} from '../delivery/render/sandboxed-liquid.ts';
import { smsLength } from '../delivery/sms-segments.ts';
import { sampleTemplateContext } from '../delivery/template-context.ts';
import { segmentRefs, walkRule } from '../segment/rule-walk.ts';
import type { Rule } from '../segment/segment-schema.ts';
import { isValidTimeZone } from '../time/zoned-time.ts';
import type { Campaign } from './campaign-schema.ts';
import { Channel } from './contact-policy-schema.ts';
import { formatPath } from './issue-messages.ts';
import { checkGroupRollout, checkPilotGroups } from './pilot-group-checks.ts';
import { resolveWaveSchedule } from './wave-schedule.ts';

type CampaignValue = z.output<typeof Campaign>;
type Ctx = z.RefinementCtx;
type Path = (string | number)[];

/** Strict for validation: a misspelt variable or filter is an error, not an empty string. */
const liquid = sandboxedLiquid({ strictVariables: true });

/**
 * Rules that span fields. Each problem is reported at the path a marketer has to change.
 * It also runs when field checks failed, on data that may not match its type: a rule that trips over a
 * malformed field is skipped, since that field already has its own problem reported.
 */
export function checkCampaign(c: CampaignValue, ctx: Ctx): void {
  const rules = [
    checkWaveIds,
    checkWaves,
    checkSchedule,
    checkRollouts,
    (c: CampaignValue, ctx: Ctx) =>
      checkPilotGroups(c, (path, message) => ctx.addIssue({ code: 'custom', path, message })),
    checkCapIds,
    checkSegmentRefs,
  ];
  for (const rule of rules) {
    try {
      rule(c, ctx);
    } catch (e) {
      if (!(e instanceof TypeError || e instanceof RangeError)) throw e;
    }
  }
}

function checkWaveIds(c: CampaignValue, ctx: Ctx): void {
  const issue = (path: Path, message: string) => ctx.addIssue({ code: 'custom', path, message });

  const waveIds = new Set<string>();
  c.waves.forEach((w, i) => {
    if (waveIds.has(w.id)) issue(['waves', i, 'id'], `duplicate wave id "${w.id}"`);
    waveIds.add(w.id);
  });
}

function checkWaves(c: CampaignValue, ctx: Ctx): void {
  const issue = (path: Path, message: string) => ctx.addIssue({ code: 'custom', path, message });
  c.waves.forEach((w, i) => {
    const at: Path = ['waves', i];
    if (w.audience.segment !== undefined && !(w.audience.segment in c.segments)) {
      const known = Object.keys(c.segments);
      issue(
        [...at, 'audience', 'segment'],
        `unknown segment "${w.audience.segment}"; defined: ${known.join(', ') || 'none'}`,
      );
    }
    checkChannels(c, i, issue);
    checkContent(c, i, issue);
  });
}

function checkSchedule(c: CampaignValue, ctx: Ctx): void {
  const issue = (path: Path, message: string) => ctx.addIssue({ code: 'custom', path, message });
  if (!isValidTimeZone(c.timeZone)) return; // reported on the field; no times can be resolved without it
  const schedule = resolveWaveSchedule(c.waves, c.timeZone);
  for (const p of schedule.problems) {
    const path: Path = ['waves', p.waveIndex, 'start', 'after'];
    if (p.kind === 'unknown-wave') issue(path, `unknown wave "${p.ref}"`);
    else if (p.kind === 'after-recurring')
      issue(
        path,
        `wave "${p.ref}" runs more than once (repeat or trigger): a wave cannot start after one of its runs`,
      );
    else issue(path, `wave offsets form a cycle: ${p.cycle.join(' → ')}`);
  }
  for (const [i, w] of c.waves.entries()) checkRepeat(w, ['waves', i], issue);
  schedule.times.forEach((t, i) => {
    if (t?.sendBy && t.sendBy.getTime() <= t.start.getTime()) {
      issue(['waves', i, 'sendBy'], 'the send-by deadline must be after the wave’s start');
    }
  });
}

/**
 * A wave has `start` or `repeat`; a recurring rule names the day it needs (a month's day, a week's
 * weekday) and no other, ends after it begins, and its deadline is a duration after each occurrence.
 */
function checkRepeat(
  w: CampaignValue['waves'][number],
  at: Path,
  issue: (path: Path, message: string) => void,
): void {
  const r = w.repeat;
  const given = (['start', 'repeat', 'trigger'] as const).filter((k) => w[k] !== undefined);
  if (given.length === 0)
    issue(
      [...at, 'start'],
      'required: a local date-time, { after, offset }, `repeat:` for a recurring wave or `trigger:` for a triggered one',
    );
  if (given.length > 1)
    issue(
      [...at, given[1] as string],
      `a wave has one of \`start\`, \`repeat\` or \`trigger\`, not ${given.join(' and ')}`,
    );
  const t = w.trigger;
  if (r) {
    if (r.every === 'month' && r.day === undefined)
      issue([...at, 'repeat', 'day'], 'required: the day of the month (1–28) a monthly wave runs on');
    if (r.every === 'week' && r.weekday === undefined)
      issue([...at, 'repeat', 'weekday'], 'required: the weekday (mon … sun) a weekly wave runs on');
    if (r.every !== 'month' && r.day !== undefined)
      issue(
        [...at, 'repeat', 'day'],
        `only a monthly wave has a day of the month (this one repeats every ${r.every})`,
      );
    if (r.every !== 'week' && r.weekday !== undefined)
      issue(
        [...at, 'repeat', 'weekday'],
        `only a weekly wave has a weekday (this one repeats every ${r.every})`,
      );
  }
  const span = r ?? t;
  if (!span) return;
  const field = r ? 'repeat' : 'trigger';
  if (span.until !== undefined && span.until < span.from)
    issue([...at, field, 'until'], `the last date must not be before the first (${span.from})`);
  if (w.sendBy !== undefined && !/^\d+[mhdw]$/.test(w.sendBy))
    issue(
      [...at, 'sendBy'],
      `a ${r ? 'recurring' : 'triggered'} wave’s deadline is a duration after each run, e.g. 6h`,
    );
  if (w.pilot) issue([...at, 'pilot'], `a ${r ? 'recurring' : 'triggered'} wave cannot be a pilot`);
  if (w.rollout) issue([...at, 'rollout'], `a ${r ? 'recurring' : 'triggered'} wave cannot be a rollout`);
}

/**
 * A rollout picks among an earlier pilot's variants: `from` names a pilot wave of this campaign that
 * starts before it, both waves have variants, every pilot variant is one the rollout can send, and
 * `otherwise` is `all` or one of them. One that picks groups: pilot-group-checks.ts.
 */
function checkRollouts(c: CampaignValue, ctx: Ctx): void {
  const issue = (path: Path, message: string) => ctx.addIssue({ code: 'custom', path, message });
  const times = isValidTimeZone(c.timeZone) ? resolveWaveSchedule(c.waves, c.timeZone).times : [];
  for (const [i, w] of c.waves.entries()) {
    const r = w.rollout;
    if (!r) continue;
    const at: Path = ['waves', i, 'rollout'];
    if (w.pilot) issue(['waves', i, 'pilot'], 'a wave is a pilot or a rollout, not both');
    const j = c.waves.findIndex((p) => p.id === r.from);
    const pilot = c.waves[j];
    const pilots = c.waves.filter((p) => p.pilot && p.id !== w.id).map((p) => p.id);
    const known = `pilot waves: ${pilots.join(', ') || 'none'}`;
    if (!pilot) {
      issue([...at, 'from'], `unknown wave "${r.from}"; ${known}`);
      continue;
    }
    if (!pilot.pilot) {
      issue([...at, 'from'], `wave "${r.from}" is not a pilot (no \`pilot:\`); ${known}`);
      continue;
    }
    const [ps, ws] = [times[j]?.start, times[i]?.start];
    if (ps && ws && ps.getTime() >= ws.getTime())
      issue([...at, 'from'], `the pilot "${r.from}" must start before this wave`);
    if (r.pick === 'group') {
      checkGroupRollout(c, i, pilot, issue);
      continue;
    }
    if (!pilot.variants?.length || !w.variants?.length) {
      issue(
        [...at, 'pick'],
        `picking a variant needs \`variants\` on this wave and on the pilot "${r.from}"`,
      );
      continue;
    }
    const mine = new Set(w.variants.map((v) => v.id));
    const missing = pilot.variants.map((v) => v.id).filter((id) => !mine.has(id));
    if (missing.length)
      issue(
        ['waves', i, 'variants'],
        `the pilot's variant(s) ${missing.join(', ')} missing here: a rollout sends what the pilot tested`,
      );
    if (r.otherwise !== 'all' && !mine.has(r.otherwise))
      issue([...at, 'otherwise'], `expected all or one of this wave's variants: ${[...mine].join(', ')}`);
  }
}

function checkCapIds(c: CampaignValue, ctx: Ctx): void {
  const issue = (path: Path, message: string) => ctx.addIssue({ code: 'custom', path, message });
  const capIds = new Set<string>();
  c.contactPolicy?.caps.forEach((cap, i) => {
    if (capIds.has(cap.id)) issue(['contactPolicy', 'caps', i, 'id'], `duplicate cap id "${cap.id}"`);
    capIds.add(cap.id);
  });
}

/** Channels the wave may use; unknown names are left out (the field check reports them). */
function waveChannels(w: CampaignValue['waves'][number]) {
  const all = [w.channel, ...(w.fallback ?? []), ...(w.tiers ?? []).map((t) => t.channel)];
  return [...new Set(all.filter((ch) => Channel.options.includes(ch)))];
}

function checkChannels(c: CampaignValue, i: number, issue: (p: Path, m: string) => void): void {
  const w = c.waves[i];
  if (!w) return;
  const configured = (ch: string) =>
    !Channel.options.includes(ch as Channel) || c.channels[ch as keyof typeof c.channels] !== undefined;
  if (!configured(w.channel))
    issue(['waves', i, 'channel'], `channel "${w.channel}" is not configured under channels`);
  w.fallback.forEach((ch, j) => {
    if (!configured(ch))
      issue(['waves', i, 'fallback', j], `channel "${ch}" is not configured under channels`);
    if (ch === w.channel) issue(['waves', i, 'fallback', j], `"${ch}" is already the wave’s channel`);
  });
  w.tiers.forEach((t, j) => {
    if (!configured(t.channel))
      issue(['waves', i, 'tiers', j, 'channel'], `channel "${t.channel}" is not configured under channels`);
  });
}

function checkContent(c: CampaignValue, i: number, issue: (p: Path, m: string) => void): void {
  const w = c.waves[i];
  if (!w) return;
  const at: Path = ['waves', i];
  if ((w.templates === undefined) === (w.variants === undefined)) {
    issue(at, 'expected exactly one of `templates` or `variants`');
    return;
  }
  const sets: { path: Path; templates: NonNullable<typeof w.templates> }[] = w.templates
    ? [{ path: [...at, 'templates'], templates: w.templates }]
    : (w.variants ?? []).map((v, j) => ({
        path: [...at, 'variants', j, 'templates'],
        templates: v.templates,
      }));

  if (w.variants) {
    const total = w.variants.reduce((s, v) => s + v.split, 0);
    if (Math.abs(total - 100) > 1e-9)
      issue([...at, 'variants'], `variant splits add up to ${total}%, expected 100%`);
    const ids = new Set<string>();
    w.variants.forEach((v, j) => {
      if (ids.has(v.id)) issue([...at, 'variants', j, 'id'], `duplicate variant id "${v.id}"`);
      ids.add(v.id);
    });
  }

  const sample = sampleTemplateContext({
    signature: c.channels.sms?.signature,
    optOutText: c.channels.sms?.optOutText,
    offer: w.offer,
    products: w.products,
  });
  checkLink(w, at, sets, issue);
  for (const { path, templates } of sets) {
    for (const ch of waveChannels(w)) {
      if (templates[ch] === undefined)
        issue([...path, ch], `the wave can use ${ch} but has no ${ch} template`);
    }
    const render = (p: Path, source: string): string | undefined => {
      try {
        return renderWithinLimits(liquid, liquid.parse(source), sample);
      } catch (e) {
        issue(p, `template does not render: ${templateErrorMessage(e)}`);
        return undefined;
      }
    };
    if (templates.email) {
      render([...path, 'email', 'subject'], templates.email.subject);
      render([...path, 'email', 'html'], templates.email.html);
      if (templates.email.text) render([...path, 'email', 'text'], templates.email.text);
    }
    if (templates['call-list'])
      render([...path, 'call-list', 'talkingPoints'], templates['call-list'].talkingPoints);
    if (templates.sms !== undefined && c.channels.sms) {
      const sms = c.channels.sms;
      const text = render([...path, 'sms'], templates.sms);
      if (text === undefined) continue;
      if (!text.includes(sms.signature))
        issue([...path, 'sms'], `SMS must carry the shop signature ${sms.signature}`);
      if (w.category !== 'notice' && !text.includes(sms.optOutText))
        issue([...path, 'sms'], `SMS must carry the opt-out text "${sms.optOutText}"`);
      const len = smsLength(text);
      if (len.segments > sms.maxSegments) {
        issue(
          [...path, 'sms'],
          `SMS renders to ${len.units} ${len.encoding} characters = ${len.segments} segments, more than maxSegments ${sms.maxSegments}`,
        );
      }
    }
  }
}

/**
 * A wave whose templates show {{ link }} needs `link:`, the landing page its tracked link redirects to;
 * without one every message would carry a link that leads nowhere. Reported once, at the wave, naming
 * the templates that use it. (A template that does not parse is reported by the render check.)
 */
function checkLink(
  w: CampaignValue['waves'][number],
  at: Path,
  sets: { path: Path; templates: NonNullable<CampaignValue['waves'][number]['templates']> }[],
  issue: (p: Path, m: string) => void,
): void {
  if (w.link !== undefined) return;
  const users: string[] = [];
  for (const { path, templates } of sets) {
    const sources: [Path, string | undefined][] = [
      [['sms'], templates.sms],
      [['email', 'subject'], templates.email?.subject],
      [['email', 'html'], templates.email?.html],
      [['email', 'text'], templates.email?.text],
      [['call-list', 'talkingPoints'], templates['call-list']?.talkingPoints],
    ];
    for (const [sub, source] of sources) {
      if (source === undefined) continue;
      let reads = false;
      try {
        reads = readsVariable(liquid, liquid.parse(source), 'link');
      } catch {}
      if (reads) users.push(formatPath([...path.slice(at.length), ...sub]));
    }
  }
  if (users.length > 0)
    issue(
      [...at, 'link'],
      `required: ${users.join(', ')} use${users.length === 1 ? 's' : ''} {{ link }}; add the landing page as \`link: https://…\` or take {{ link }} out of the template${users.length === 1 ? '' : 's'}`,
    );
}

/** Segments used inside rules exist and do not refer to themselves; history predicates name real waves. */
function checkSegmentRefs(c: CampaignValue, ctx: Ctx): void {
  const issue = (path: Path, message: string) => ctx.addIssue({ code: 'custom', path, message });
  const names = Object.keys(c.segments);
  const waveIds = new Set(c.waves.map((w) => w.id));
  const rules: { rule: Rule; at: Path }[] = [
    ...Object.entries(c.segments).map(([name, s]) => ({
      rule: s.where,
      at: ['segments', name, 'where'] as Path,
    })),
    ...c.waves.flatMap((w, i) =>
      w.audience.where ? [{ rule: w.audience.where, at: ['waves', i, 'audience', 'where'] as Path }] : [],
    ),
  ];
  for (const { rule, at } of rules) {
    for (const ref of segmentRefs(rule)) {
      if (!names.includes(ref.name))
        issue([...at, ...ref.path], `unknown segment "${ref.name}"; defined: ${names.join(', ') || 'none'}`);
    }
    walkRule(rule, (r, path) => {
      const history = 'messageHistory' in r ? r.messageHistory : 'notReachedBy' in r ? r.notReachedBy : null;
      if (!history || history.campaign !== undefined) return;
      history.waves.forEach((w, j) => {
        if (!waveIds.has(w))
          issue(
            [...at, ...path, Object.keys(r)[0] as string, 'waves', j],
            `unknown wave "${w}" in this campaign`,
          );
      });
    });
  }
  // A segment that reaches itself through references would compile to an endless query.
  const visiting = new Set<string>();
  const done = new Set<string>();
  const visit = (name: string, trail: string[]): void => {
    if (done.has(name) || !names.includes(name)) return;
    if (visiting.has(name)) {
      const cycle = [...trail.slice(trail.indexOf(name)), name];
      issue(['segments', name, 'where'], `segments refer to each other in a cycle: ${cycle.join(' → ')}`);
      return;
    }
    visiting.add(name);
    const segment = c.segments[name];
    if (segment) for (const ref of segmentRefs(segment.where)) visit(ref.name, [...trail, name]);
    visiting.delete(name);
    done.add(name);
  };
  for (const name of names) visit(name, []);
}

import type { z } from 'zod';

/** `['waves', 2, 'channel']` → `waves[2].channel`, as a marketer reads it in the file. */
export function formatPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${seg}` : seg;
  }
  return out;
}

function typeOf(input: unknown): string {
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'object') return 'a mapping';
  return typeof input;
}

/** Short messages naming what was expected; zod's own are written for developers. */
export function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code !== 'custom' && 'input' in issue && issue.input === undefined) return 'required';
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${issue.expected === 'object' ? 'a mapping' : issue.expected === 'array' ? 'a list' : issue.expected}, got ${typeOf(issue.input)}`;
    case 'invalid_value':
      return issue.values.length === 1
        ? `expected ${String(issue.values[0])}`
        : `expected one of ${issue.values.map(String).join(', ')}`;
    case 'too_small':
      if (issue.origin === 'array') return `expected at least ${issue.minimum} item(s)`;
      if (issue.origin === 'string') return `expected at least ${issue.minimum} character(s)`;
      return `expected ${issue.inclusive ? '≥' : '>'} ${issue.minimum}`;
    case 'too_big':
      if (issue.origin === 'array') return `expected at most ${issue.maximum} item(s)`;
      if (issue.origin === 'string') return `expected at most ${issue.maximum} character(s)`;
      return `expected ${issue.inclusive ? '≤' : '<'} ${issue.maximum}`;
    case 'invalid_union':
    case 'invalid_format':
    case 'custom':
    case 'unrecognized_keys':
    case 'invalid_key':
    case 'invalid_element':
    case 'not_multiple_of':
      return issue.message;
  }
}

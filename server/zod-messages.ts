import { z } from 'zod';

// API.md Errors: a refusal says what was wrong in words a keeper understands, in Chinese. zod's own messages are
// English ("Too big: expected number to be <=10000000"); schemas that give their own message keep it. What this map
// does not word falls to zod's Chinese locale.
const LIMIT = 9_007_199_254_740_991;

function worded(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined || issue.input === null) return '必填';
      if (issue.expected === 'int') return '须为整数';
      if (issue.expected === 'number') return '须为数字';
      if (issue.expected === 'string') return '须为文字';
      if (issue.expected === 'array') return '须为列表';
      if (issue.expected === 'boolean') return '须为是或否';
      return undefined;
    case 'too_big': {
      const max = Number(issue.maximum);
      if (issue.origin === 'string') return `不能超过 ${max} 个字符`;
      if (issue.origin === 'array' || issue.origin === 'set') return `最多 ${max} 项`;
      if (max >= LIMIT) return '数值过大';
      return issue.inclusive ? `不能大于 ${max}` : `须小于 ${max}`;
    }
    case 'too_small': {
      const min = Number(issue.minimum);
      if (issue.origin === 'string') return min <= 1 ? '不能为空' : `至少 ${min} 个字符`;
      if (issue.origin === 'array' || issue.origin === 'set') return min <= 1 ? '至少填写一项' : `至少 ${min} 项`;
      if (-min >= LIMIT) return '数值过小';
      return issue.inclusive ? `不能小于 ${min}` : `须大于 ${min}`;
    }
    case 'invalid_value':
      return issue.values.length <= 10 ? `须为以下之一：${issue.values.map(String).join('、')}` : '取值无效';
    case 'unrecognized_keys':
      return `不认识的字段：${issue.keys.join('、')}`;
    default:
      return undefined;
  }
}

z.config(z.locales.zhCN());
z.config({ customError: worded });

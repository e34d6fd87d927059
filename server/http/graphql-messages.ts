// API.md Errors: GraphQL's and yoga's own refusals of a request — the HTTP request itself, the query's syntax, and
// each validation rule of graphql-js's specifiedRules a client can break — in Chinese, keeping the names they quote
// (field, type, argument, variable, fragment) and a "did you mean" hint as 「您是否要…？」 (production drops it:
// disclosure.ts). The table of coercion-messages.ts's refusalInChinese, which also words a value's refusal; codes,
// locations and HTTP statuses are not touched. Rules that only check a schema definition (Unique*Definition*,
// LoneSchemaDefinition, PossibleTypeExtensions …) cannot be broken by a query and are not here.

type Rule = [RegExp, (m: RegExpExecArray) => string];

/** A named fragment, or an inline one (`... on T`). */
const fragment = (name: string | undefined) => (name ? `片段 ${name} ` : '内联片段');

/** graphql-js's names of the query's tokens ("<EOF>", "Name", "\"{\"") as a keeper reads them. */
const token = (desc: string) =>
  desc
    .replace(/^<EOF>$/, '查询末尾')
    .replace(/^<SOF>$/, '查询开头')
    .replace(/^Name\b/, '名称')
    .replace(/^Int\b/, '整数')
    .replace(/^Float\b/, '小数')
    .replace(/^(Block)?String\b/, '字符串');

const SYNTAX: Rule[] = [
  [/^Expected (.+), found (.+)\.$/s, (m) => `此处应为 ${token(m[1])}，实际为 ${token(m[2])}`],
  [/^Unexpected (.+)\.$/s, (m) => `此处不应出现 ${token(m[1])}`],
  [/^Unterminated string\.$/, () => '字符串没有结束引号'],
  [/^Unexpected single quote character .*$/s, () => '字符串须用双引号 " 括起，不能用单引号'],
  [/^Unexpected character: (.+)\.$/s, (m) => `无法识别的字符：${m[1]}`],
  [/^Invalid number, .*: (.+)\.$/s, (m) => `数字格式错误：${m[1]}`],
  [/^Invalid character within String: (.+)\.$/s, (m) => `字符串中有不允许的字符：${m[1]}`],
  [/^Invalid (?:Unicode|character) escape sequence: (.+)\.$/s, (m) => `字符串中的转义序列无效：${m[1]}`],
  [/^(?:Document|Source) contains more th[ae]n (\d+) .*$/s, (m) => `查询过长（上限 ${m[1]}）`],
];

/** The rules' and yoga's messages, without the "Did you mean" hint (see suggestion). */
const RULES: Rule[] = [
  // yoga: the HTTP request (the statuses, 405 and 400, stay as yoga sets them)
  [/^Can only perform a mutation operation from a POST request\.$/, () => '修改操作只能用 POST 请求提交'],
  [/^GraphQL only supports GET and POST requests\.$/, () => '只接受 GET 或 POST 请求'],
  [/^Batching is not supported\.$/, () => '不支持批量请求：一次只能提交一个操作'],
  [/^Batching is limited to (\d+) operations per request\.$/, (m) => `一次最多提交 ${m[1]} 个操作`],
  [/^Must provide query string\.$/, () => '请求中缺少查询语句（query）'],
  [/^POST body sent invalid JSON\.$/, () => '请求体不是有效的 JSON'],
  [/^Invalid "params" in the request body$/, () => '请求体格式错误'],
  [/^Expected params to be an object but given (\w+)\.$/, () => '请求体须为一个 JSON 对象'],
  [/^Unexpected parameter "([^"]*)" in the request body\.$/, (m) => `请求体中有不认识的参数 ${m[1]}`],
  [/^Expected "(\w+)" param to be (?:a string|empty or an object), but given (\w+)\.$/, (m) => `请求参数 ${m[1]} 的格式错误`],
  [/^Could not determine what operation to execute\.$/, () => '无法确定要执行哪个操作：查询中有多个操作时，须用 operationName 指明其一'],
  // graphql-js: choosing the operation, and its variables
  [/^Must provide an operation\.$/, () => '请求中没有可执行的操作'],
  [/^Must provide operation name if query contains multiple operations\.$/, () => '查询包含多个操作，须用 operationName 指明执行哪一个'],
  [/^Unknown operation named "([^"]*)"\.$/, (m) => `查询中没有名为 ${m[1]} 的操作（operationName 须是查询中某个操作的名称）`],
  [/^Schema is not configured to execute (\w+) operation\.$/, (m) => `不支持 ${m[1]} 操作`],
  [/^Too many errors processing variables, .*$/s, () => '变量错误过多，已停止处理'],
  [/^Variable "\$([^"]+)" expected value of type "([^"]*)" which cannot be used as an input type\.$/, (m) => `变量 $${m[1]} 的类型 ${m[2]} 不能用作输入`],
  // specifiedRules, in graphql-js's order
  [/^The "?([^"]+)"? definition is not executable\.$/s, (m) => `${m[1]} 是类型定义，不能在查询中提交`],
  [/^There can be only one operation named "([^"]*)"\.$/, (m) => `操作名 ${m[1]} 重复`],
  [/^This anonymous operation must be the only defined operation\.$/, () => '有多个操作时，每个操作都须有名称'],
  [/^(?:Subscription "([^"]*)"|Anonymous Subscription) must select only one top level field\.$/, () => '订阅只能选择一个顶层字段'],
  [/^(?:Subscription "([^"]*)"|Anonymous Subscription) must not select an introspection top level field\.$/, () => '订阅不能选择内省字段'],
  [/^Unknown type "([^"]*)"\.$/, (m) => `没有类型 ${m[1]}`],
  [/^Fragment (?:"([^"]*)" )?cannot condition on non composite type "([^"]*)"\.$/, (m) => `${fragment(m[1])}不能用于类型 ${m[2]}（它没有字段）`],
  [/^Variable "\$([^"]+)" cannot be non-input type "([^"]*)"\.$/, (m) => `变量 $${m[1]} 的类型 ${m[2]} 不能用作输入`],
  [/^Field "([^"]*)" must not have a selection since type "([^"]*)" has no subfields\.$/, (m) => `字段 ${m[1]}（${m[2]}）没有下级字段，不能再选择`],
  [
    /^Field "([^"]*)" of type "([^"]*)" must have (?:a selection of subfields|at least one field selected)\.$/,
    (m) => `字段 ${m[1]}（${m[2]}）须选择下级字段，如 ${m[1]} { … }`,
  ],
  [/^Cannot query field "([^"]*)" on type "([^"]*)"\.$/, (m) => `类型 ${m[2]} 没有字段 ${m[1]}`],
  [/^There can be only one fragment named "([^"]*)"\.$/, (m) => `片段名 ${m[1]} 重复`],
  [/^Unknown fragment "([^"]*)"\.$/, (m) => `没有片段 ${m[1]}`],
  [/^Fragment "([^"]*)" is never used\.$/, (m) => `片段 ${m[1]} 没有被使用`],
  [
    /^Fragment (?:"([^"]*)" )?cannot be spread here as objects of type "([^"]*)" can never be of type "([^"]*)"\.$/,
    (m) => `${fragment(m[1])}不能用在此处：${m[2]} 不可能是 ${m[3]}`,
  ],
  [/^Cannot spread fragment "([^"]*)" within itself(?: via (.+))?\.$/s, (m) => `片段 ${m[1]} 不能${m[2] ? `经由 ${m[2].replace(/"/g, '')} ` : ''}引用自身`],
  [/^There can be only one variable named "\$([^"]*)"\.$/, (m) => `变量 $${m[1]} 重复定义`],
  [/^Variable "\$([^"]*)" is not defined(?: by operation "([^"]*)")?\.$/, (m) => `变量 $${m[1]} 没有在${m[2] ? `操作 ${m[2]} ` : '操作'}中定义`],
  [/^Variable "\$([^"]*)" is never used(?: in operation "([^"]*)")?\.$/, (m) => `变量 $${m[1]} 没有被使用`],
  [/^Unknown directive "@([^"]*)"\.$/, (m) => `没有指令 @${m[1]}`],
  [/^Directive "@([^"]*)" may not be used on (\w+)\.$/, (m) => `指令 @${m[1]} 不能用在 ${m[2]} 上`],
  [/^The directive "@([^"]*)" can only be used once at this location\.$/, (m) => `指令 @${m[1]} 在此处只能用一次`],
  [/^Unknown argument "([^"]*)" on field "([^"]*)"\.$/, (m) => `字段 ${m[2]} 没有参数 ${m[1]}`],
  [/^Unknown argument "([^"]*)" on directive "@([^"]*)"\.$/, (m) => `指令 @${m[2]} 没有参数 ${m[1]}`],
  [/^There can be only one argument named "([^"]*)"\.$/, (m) => `参数 ${m[1]} 重复`],
  [/^OneOf Input Object "([^"]*)" must specify exactly one key\.$/, (m) => `${m[1]} 须且只能填写一项`],
  [/^Field "([^"]*)" must be non-null\.$/, (m) => `${m[1]} 不能为空`],
  [/^Field "([^"]*)" argument "([^"]*)" of type "([^"]*)" is required, but it was not provided\.$/, (m) => `字段 ${m[1]} 缺少必填参数 ${m[2]}（${m[3]}）`],
  [
    /^Directive "@([^"]*)" argument "([^"]*)" of type "([^"]*)" is required, but it was not provided\.$/,
    (m) => `指令 @${m[1]} 缺少必填参数 ${m[2]}（${m[3]}）`,
  ],
  [/^Variable "\$([^"]*)" of type "([^"]*)" used in position expecting type "([^"]*)"\.$/, (m) => `变量 $${m[1]} 的类型是 ${m[2]}，此处须为 ${m[3]}`],
  [/^Variable "\$([^"]*)" is of type "([^"]*)" but must be non-nullable .*$/s, (m) => `变量 $${m[1]} 须为必填类型（${m[2]}!）`],
  [/^Fields "([^"]*)" conflict because .*$/s, (m) => `字段 ${m[1]} 有冲突：同名的结果来自不同的字段或参数，请用不同的别名`],
  [/^There can be only one input field named "([^"]*)"\.$/, (m) => `输入项 ${m[1]} 重复`],
  [/^Maximum introspection depth exceeded$/, () => '接口结构查询嵌套过深'],
];

/** " Did you mean "a", "b", or "c"?" → the names, or the inline-fragment type. */
function suggestion(message: string, body: string, hint: string): string {
  const names = [...hint.matchAll(/"([^"]*)"/g)].map((n) => n[1]);
  if (!names.length) return '';
  const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join('、')} 或 ${names.at(-1)}`;
  if (/^to use an inline fragment on/.test(hint)) return `您是否要用内联片段 ... on ${list}？`;
  if (/^the enum value/.test(hint)) return `您是否要用 ${list}？`;
  if (/^Cannot query field/.test(body)) return `您是否要查询 ${list}？`;
  if (/must have a selection of subfields/.test(message)) return ''; // said in the message already
  return `您是否要用 ${list}？`;
}

/** A request's, a query's syntax or a validation rule's refusal in Chinese; null when it is none of these. */
export function requestRefusal(message: string): string | null {
  const syntax = /^Syntax Error: (.*)$/s.exec(message);
  if (syntax) {
    for (const [pattern, say] of SYNTAX) {
      const m = pattern.exec(syntax[1]);
      if (m) return `查询语句有语法错误：${say(m)}`;
    }
    return '查询语句有语法错误';
  }
  const [, body, hint] = /^(.*?)(?:\s*Did you mean (.*)\?)?$/s.exec(message)!;
  for (const [pattern, say] of RULES) {
    const m = pattern.exec(body);
    if (m) {
      const more = hint ? suggestion(message, body, hint) : '';
      return more ? `${say(m)}。${more}` : say(m);
    }
  }
  return null;
}

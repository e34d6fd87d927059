import type { Express, Request, Response } from 'express';

// GET / when nothing else answers there (mounted last: a web console mounted at / comes first): a page saying where
// the API, GraphiQL and the probes are, instead of "Cannot GET /". Plain HTML, nothing fetched from elsewhere.

const page = (graphiql: boolean) => `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>应急物资储备与调度</title>
<style>body{font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;max-width:46rem;margin:3rem auto;padding:0 1rem;line-height:1.6;color:#222}
code{background:#f3f3f3;padding:0 .25rem}li{margin:.3rem 0}</style>
</head>
<body>
<h1>应急物资储备与调度</h1>
<p>本服务提供 GraphQL 接口，管理市、县、乡三级应急物资储备库的库存台账与调度。</p>
<ul>
<li>${
  graphiql
    ? '<a href="/graphql">GraphiQL</a>（<code>/graphql</code>）：在浏览器中编写并执行查询，已带中文示例（登录、库存、入库、调度方案、估值）。'
    : 'GraphQL 接口：<code>POST /graphql</code>（生产环境不提供 GraphiQL 页面）。'
}</li>
<li>Excel/CSV 导出：<code>/exports/journal.xlsx</code>、<code>/exports/valuation.xlsx</code>（需登录令牌）。</li>
<li>运行状态：<a href="/healthz">/healthz</a>（进程）、<a href="/readyz">/readyz</a>（数据库与迁移）、<code>/metrics</code>（Prometheus 指标）。</li>
</ul>
<p>Web 管理控制台启用后将在此地址提供。</p>
</body>
</html>
`;

/** Mount after everything else. */
export function registerLandingPage(app: Express, opts: { graphiql: boolean }) {
  const html = page(opts.graphiql);
  app.get('/', (_req: Request, res: Response) => {
    res.type('html').send(html);
  });
}

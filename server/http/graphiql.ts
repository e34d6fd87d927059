import type { GraphiQLOptions } from 'graphql-yoga';

// GraphiQL as a bureau's intranet needs it: its scripts, styles, editor workers and icon are inlined in the page
// the server sends (@graphql-yoga/render-graphiql), so nothing is fetched from the internet; it opens with
// worked examples in Chinese against the demo data.

const AUTH_HEADER = JSON.stringify({ Authorization: 'Bearer <把登录返回的 token 粘贴到这里>' }, null, 2);

/** The example tabs: log in, a store's stock, a receipt, a dispatch plan, a valuation. */
export const GRAPHIQL_EXAMPLES: { title: string; query: string; variables?: Record<string, unknown>; signedIn: boolean }[] = [
  {
    title: '登录',
    signedIn: false,
    query: `# 登录：演示账号 admin / dispatcher / keeper / auditor（密码见启动输出或 README）。
# 复制返回的 token，填到左下角 Headers 里的 Authorization（其他示例页已预填格式）。
mutation Login($username: String!, $password: String!) {
  login(username: $username, password: $password) {
    token
    user { displayName role region { name } }
  }
}`,
    variables: { username: 'keeper', password: 'Demo@2026' },
  },
  {
    title: '仓库库存',
    signedIn: true,
    query: `# 我能看到的仓库及其库存（以 keeper 登录：卫辉市救灾物资储备库）。按到期先后查看：stock(filter: { storeId }, orderBy: EXPIRY)。
query StoreStock {
  me {
    username
    stores {
      id
      name
      stock(first: 20) {
        totalCount
        edges { node { item { id name unit } batch { batchNo expiryDate rotateBy } onHand reserved available value } }
      }
    }
  }
}`,
  },
  {
    title: '入库',
    signedIn: true,
    query: `# 采购入库（以 keeper 登录）：storeId 取自“仓库库存”示例的 me.stores.id，itemId 取自 items 或库存行的 item.id。
# 同一个 idempotencyKey 重复提交只入账一次。
mutation ReceiveStock($input: ReceiveStockInput!) {
  receiveStock(input: $input) {
    number
    lines { batch { batchNo expiryDate } quantity value }
  }
}`,
    variables: {
      input: {
        storeId: '<仓库 id>',
        source: 'PURCHASE',
        contractNo: 'ZFCG-2026-0012',
        inspectionReportNo: 'YS-2026-0031',
        idempotencyKey: 'rk-2026-0001',
        lines: [{ itemId: '<物资 id>', quantity: 100, productionDate: '2026-03-01', unitPrice: '158.00' }],
      },
    },
  },
  {
    title: '调度方案',
    signedIn: true,
    query: `# 调度方案建议（以 dispatcher 登录）：先用 createIncident 登记事件，再按需求点计算方案；只计算，不保存。
# requestDispatch 保存方案，approveDispatchPlan 审批并锁定库存，executeDispatchPlan 发运。
mutation CreateIncident {
  createIncident(input: { name: "卫辉市洪涝", type: FLOOD, regionCode: "410781", location: { lat: 35.398, lng: 114.064 } }) { id }
}

query SuggestDispatchPlan($incidentId: ID!, $itemId: ID!) {
  suggestDispatchPlan(input: {
    incidentId: $incidentId
    destinations: [{ name: "唐庄镇安置点", regionCode: "410781105000", lat: 35.45, lng: 113.97, lines: [{ itemId: $itemId, quantity: 300 }] }]
  }) {
    totalQuantity
    maxEtaHours
    lines { store { name } batch { batchNo } quantity tier etaHours reason }
    shortages { item { name } missing }
  }
}`,
    variables: { incidentId: '<事件 id>', itemId: '<物资 id，例如棉被>' },
  },
  {
    title: '估值',
    signedIn: true,
    query: `# 储备物资估值（以 auditor 登录）：某一时点、按地区和类别分组；另附账实核对。
query Valuation {
  valuation(asOf: "2026-06-30T24:00:00+08:00", regionCode: "410700", groupBy: [REGION, CATEGORY]) {
    total
    onHand
    inTransit
    groups { key quantity value }
  }
  reconciliation(regionCode: "410781") { store { name } batch { batchNo } ledgerOnHand balanceOnHand ledgerVsBalance }
}`,
  },
];

export const graphiqlOptions: GraphiQLOptions = {
  title: '应急物资储备与调度 — GraphiQL',
  defaultTabs: GRAPHIQL_EXAMPLES.map((e) => ({
    query: e.query,
    variables: e.variables ? JSON.stringify(e.variables, null, 2) : null,
    headers: e.signedIn ? AUTH_HEADER : null,
  })),
  // Subscriptions over SSE, as the server offers them.
  subscriptionsProtocol: 'SSE',
};

// The page is about 9 MB of inlined assets: loaded on the first visit (never in production, where GraphiQL is off),
// rendered once.
const rendered = new Map<string, Promise<string>>();

/** yoga's renderGraphiQL: the self-contained page. */
export function renderOfflineGraphiQL(options: GraphiQLOptions): Promise<string> {
  const key = JSON.stringify(options);
  let page = rendered.get(key);
  if (!page) {
    page = import('@graphql-yoga/render-graphiql').then(({ renderGraphiQL }) => renderGraphiQL(options));
    rendered.set(key, page);
  }
  return page;
}

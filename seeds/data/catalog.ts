/**
 * Catalog seed data: the five plan categories (D4) and their items (D4, D5, D10, D12).
 *
 * Sources: 晋城 专栏 4 "应急物资装备储备重点品类" (same list in 河曲) and 珲春 专栏 3
 * "生活类救灾物资和防汛抗旱物资保障建设重点". Extra items are ones the plans name as well
 * (指挥帐篷 and 净水设备 come from D12's recovery list; 垫板 from 珲春's current stock). Vehicles and boats of 晋城 专栏 4
 * (全道路运兵车 …; 水下探测设备 with the flood 抢险装备), 河曲 (移动水池, 电动水枪, 抢险指挥艇, 船外机) and 珲春 (褥子, 内衣裤, 应急通讯指挥车) are
 * listed too; their reference prices are indicative only.
 *
 * referencePrice: indicative unit price (yuan) for government procurement, meant as seed data.
 *   It is not a quotation.
 * storageLifeMonths: 储存年限 where the item has a shelf/storage life; null for equipment
 *   that has none (it is maintained and scrapped on inspection instead, D11).
 * gbCode: GB/T 38565-2020 class code. Left null throughout: the code table in the standard's
 *   annex was not available to check against, and D5 makes the code optional. Do not fill
 *   in a code from memory; copy it from the standard's table.
 * recovery: D12. Single-layer tents use 6 months and cotton / double-layer tents use 12.
 *   Command tents, prefab rooms, large lighting, water purifiers, generator sets and
 *   other durable equipment are ALWAYS recovered. Bedding, sleeping bags, folding beds,
 *   stoves and consumables are NEVER recovered.
 */

export type RecoveryRule =
  | { kind: 'ALWAYS' }
  | { kind: 'WITHIN_MONTHS'; months: number }
  | { kind: 'NEVER' };

export interface CategorySeed {
  code: string;
  name: string;
  sortOrder: number;
}

export interface ItemSeed {
  code: string;
  categoryCode: string;
  name: string;
  spec: string;
  unit: string;
  referencePrice: string;
  storageLifeMonths: number | null;
  rotationLeadMonths: number;
  gbCode: string | null;
  recovery: RecoveryRule;
}

const ALWAYS: RecoveryRule = { kind: 'ALWAYS' };
const NEVER: RecoveryRule = { kind: 'NEVER' };
const within = (months: number): RecoveryRule => ({ kind: 'WITHIN_MONTHS', months });

export const categorySeeds: readonly CategorySeed[] = [
  { code: 'LIVING', name: '生活类救灾物资', sortOrder: 1 },
  { code: 'FIREFIGHTING', name: '综合性消防救援应急物资装备', sortOrder: 2 },
  { code: 'FOREST_FIRE', name: '森林草原防灭火物资装备', sortOrder: 3 },
  { code: 'FLOOD', name: '防汛抗旱物资装备', sortOrder: 4 },
  { code: 'MINE_RESCUE', name: '矿山事故救援物资装备', sortOrder: 5 },
];

export const itemSeeds: readonly ItemSeed[] = [
  // ── 1. 生活类救灾物资 ────────────────────────────────────────────────
  {
    code: 'LIV-001', categoryCode: 'LIVING', name: '棉帐篷',
    spec: '12平方米 单层棉 框架式 外帐涤棉防水布 内衬保温棉 带门窗及烟囱口',
    unit: '顶', referencePrice: '2180.00', storageLifeMonths: 96, rotationLeadMonths: 12,
    gbCode: null, recovery: within(12),
  },
  {
    code: 'LIV-002', categoryCode: 'LIVING', name: '单帐篷',
    spec: '12平方米 单层 框架式 涤棉防水布 镀锌钢管骨架',
    unit: '顶', referencePrice: '1280.00', storageLifeMonths: 96, rotationLeadMonths: 12,
    gbCode: null, recovery: within(6),
  },
  {
    code: 'LIV-003', categoryCode: 'LIVING', name: '救灾指挥帐篷',
    spec: '36平方米 双层 钢架框架式 阻燃防水 带照明及电源接口',
    unit: '顶', referencePrice: '7600.00', storageLifeMonths: 96, rotationLeadMonths: 12,
    gbCode: null, recovery: ALWAYS,
  },
  {
    code: 'LIV-004', categoryCode: 'LIVING', name: '棉被',
    spec: '200cm×150cm 棉花絮3kg 涤棉被套 真空压缩包装',
    unit: '床', referencePrice: '158.00', storageLifeMonths: 72, rotationLeadMonths: 12,
    gbCode: null, recovery: NEVER,
  },
  {
    code: 'LIV-005', categoryCode: 'LIVING', name: '棉大衣',
    spec: '军绿色 涤棉面料 腈纶棉填充 毛领可拆 均码(175/96A以上)',
    unit: '件', referencePrice: '185.00', storageLifeMonths: 72, rotationLeadMonths: 12,
    gbCode: null, recovery: NEVER,
  },
  {
    code: 'LIV-006', categoryCode: 'LIVING', name: '毛毯',
    spec: '200cm×150cm 2kg 含羊毛30% 单条塑封包装',
    unit: '条', referencePrice: '118.00', storageLifeMonths: 60, rotationLeadMonths: 12,
    gbCode: null, recovery: NEVER,
  },
  {
    code: 'LIV-007', categoryCode: 'LIVING', name: '毛巾被',
    spec: '200cm×150cm 纯棉 0.9kg',
    unit: '条', referencePrice: '56.00', storageLifeMonths: 60, rotationLeadMonths: 12,
    gbCode: null, recovery: NEVER,
  },
  {
    code: 'LIV-008', categoryCode: 'LIVING', name: '夏凉被',
    spec: '200cm×150cm 涤纶面料 聚酯纤维填充1kg',
    unit: '床', referencePrice: '62.00', storageLifeMonths: 60, rotationLeadMonths: 12,
    gbCode: null, recovery: NEVER,
  },
  {
    code: 'LIV-009', categoryCode: 'LIVING', name: '睡袋',
    spec: '信封式 220cm×80cm 中空棉填充1.5kg 舒适温度0℃',
    unit: '个', referencePrice: '135.00', storageLifeMonths: 72, rotationLeadMonths: 12,
    gbCode: null, recovery: NEVER,
  },
  {
    code: 'LIV-010', categoryCode: 'LIVING', name: '折叠床',
    spec: '单人 190cm×70cm×40cm 钢管框架 牛津布床面 承重≥120kg',
    unit: '张', referencePrice: '168.00', storageLifeMonths: 96, rotationLeadMonths: 12,
    gbCode: null, recovery: NEVER,
  },
  {
    code: 'LIV-011', categoryCode: 'LIVING', name: '折叠桌椅',
    spec: '1桌4椅 桌面120cm×60cm 钢架 中密度板/吹塑面',
    unit: '套', referencePrice: '380.00', storageLifeMonths: null, rotationLeadMonths: 12,
    gbCode: null, recovery: ALWAYS,
  },
  {
    code: 'LIV-012', categoryCode: 'LIVING', name: '家庭应急包',
    spec: '双肩包 含手摇手电收音机、急救包、救生毯、口哨、雨衣、饮用水袋等16件',
    unit: '个', referencePrice: '268.00', storageLifeMonths: 36, rotationLeadMonths: 12,
    gbCode: null, recovery: NEVER,
  },
  {
    code: 'LIV-013', categoryCode: 'LIVING', name: '简易厕所',
    spec: '移动式 单蹲位 PE滚塑 110cm×110cm×230cm 带储粪箱',
    unit: '个', referencePrice: '2850.00', storageLifeMonths: null, rotationLeadMonths: 12,
    gbCode: null, recovery: ALWAYS,
  },
  {
    code: 'LIV-014', categoryCode: 'LIVING', name: '取暖炉',
    spec: '燃煤 铸铁炉体 带烟筒3节 采暖面积20～30平方米',
    unit: '台', referencePrice: '420.00', storageLifeMonths: 96, rotationLeadMonths: 12,
    gbCode: null, recovery: NEVER,
  },
  {
    code: 'LIV-015', categoryCode: 'LIVING', name: '场地照明灯',
    spec: '移动式 LED 4×100W 升降高度4.5m 锂电池续航≥8h',
    unit: '台', referencePrice: '6500.00', storageLifeMonths: null, rotationLeadMonths: 12,
    gbCode: null, recovery: ALWAYS,
  },
  {
    code: 'LIV-016', categoryCode: 'LIVING', name: '苫布',
    spec: '6m×8m PVC涂层防雨布 加强包边 带金属扣眼',
    unit: '块', referencePrice: '460.00', storageLifeMonths: 60, rotationLeadMonths: 12,
    gbCode: null, recovery: NEVER,
  },
  {
    code: 'LIV-017', categoryCode: 'LIVING', name: '折叠式彩钢活动板房',
    spec: '单间 5.8m×2.4m×2.5m 彩钢岩棉夹芯板 折叠式 带门窗',
    unit: '套', referencePrice: '9800.00', storageLifeMonths: null, rotationLeadMonths: 12,
    gbCode: null, recovery: ALWAYS,
  },
  {
    code: 'LIV-018', categoryCode: 'LIVING', name: '垫板',
    spec: '折叠式 防潮 PE/EVA 180cm×90cm',
    unit: '个', referencePrice: '38.00', storageLifeMonths: 60, rotationLeadMonths: 12,
    gbCode: null, recovery: NEVER,
  },
  {
    code: 'LIV-019', categoryCode: 'LIVING', name: '应急净水设备',
    spec: '移动式 超滤+反渗透 产水量≥1吨/小时 自带发电',
    unit: '台', referencePrice: '68000.00', storageLifeMonths: null, rotationLeadMonths: 12,
    gbCode: null, recovery: ALWAYS,
  },
  {
    code: 'LIV-020', categoryCode: 'LIVING', name: '褥子',
    spec: '单人 190cm×90cm 棉花絮2kg 涤棉外套 真空压缩包装',
    unit: '床', referencePrice: '98.00', storageLifeMonths: 72, rotationLeadMonths: 12,
    gbCode: null, recovery: NEVER,
  },
  {
    code: 'LIV-021', categoryCode: 'LIVING', name: '内衣裤',
    spec: '成人 纯棉 套装(上衣+裤) 分男女 S–XXL 单套塑封',
    unit: '套', referencePrice: '45.00', storageLifeMonths: 60, rotationLeadMonths: 12,
    gbCode: null, recovery: NEVER,
  },

  // ── 2. 综合性消防救援应急物资装备 ────────────────────────────────────
  {
    code: 'FIR-001', categoryCode: 'FIREFIGHTING', name: '空气呼吸器',
    spec: '正压式消防空气呼吸器 6.8L碳纤维气瓶 30MPa 带余压报警',
    unit: '套', referencePrice: '7600.00', storageLifeMonths: null, rotationLeadMonths: 12,
    gbCode: null, recovery: ALWAYS,
  },
  {
    code: 'FIR-002', categoryCode: 'FIREFIGHTING', name: '空气呼吸器备用气瓶',
    spec: '6.8L 碳纤维缠绕 30MPa',
    unit: '个', referencePrice: '1950.00', storageLifeMonths: null, rotationLeadMonths: 12,
    gbCode: null, recovery: ALWAYS,
  },
  {
    code: 'FIR-003', categoryCode: 'FIREFIGHTING', name: '水带',
    spec: '有衬里消防水带 DN65 1.3MPa 20m 聚氨酯衬里 带内扣式接口',
    unit: '根', referencePrice: '260.00', storageLifeMonths: 96, rotationLeadMonths: 12,
    gbCode: null, recovery: ALWAYS,
  },
  {
    code: 'FIR-004', categoryCode: 'FIREFIGHTING', name: '大口径水带',
    spec: '有衬里消防水带 DN80 1.6MPa 20m 聚氨酯衬里 带内扣式接口',
    unit: '根', referencePrice: '380.00', storageLifeMonths: 96, rotationLeadMonths: 12,
    gbCode: null, recovery: ALWAYS,
  },
  {
    code: 'FIR-005', categoryCode: 'FIREFIGHTING', name: '灭火防护服',
    spec: '消防员灭火防护服 四层结构 芳纶外层 防水透气层 隔热层 舒适层',
    unit: '套', referencePrice: '2600.00', storageLifeMonths: 60, rotationLeadMonths: 12,
    gbCode: null, recovery: ALWAYS,
  },
  {
    code: 'FIR-006', categoryCode: 'FIREFIGHTING', name: '防化服',
    spec: '重型 全封闭气密型 一级化学防护服 内置空气呼吸器背囊',
    unit: '套', referencePrice: '16800.00', storageLifeMonths: 60, rotationLeadMonths: 12,
    gbCode: null, recovery: ALWAYS,
  },
  {
    code: 'FIR-007', categoryCode: 'FIREFIGHTING', name: '隔热服',
    spec: '消防员隔热防护服 铝箔复合面料 分体式 含头罩手套脚套',
    unit: '套', referencePrice: '2800.00', storageLifeMonths: 60, rotationLeadMonths: 12,
    gbCode: null, recovery: ALWAYS,
  },
  {
    code: 'FIR-008', categoryCode: 'FIREFIGHTING', name: '防冻服',
    spec: '消防员防寒防冻服 防水面料 适用环境温度-30℃ 分体式',
    unit: '套', referencePrice: '980.00', storageLifeMonths: 60, rotationLeadMonths: 12,
    gbCode: null, recovery: ALWAYS,
  },
  {
    code: 'FIR-009', categoryCode: 'FIREFIGHTING', name: '防毒面具',
    spec: '过滤式 全面罩 配综合型滤毒罐',
    unit: '个', referencePrice: '360.00', storageLifeMonths: 60, rotationLeadMonths: 12,
    gbCode: null, recovery: ALWAYS,
  },
  {
    code: 'FIR-010', categoryCode: 'FIREFIGHTING', name: '泡沫灭火剂',
    spec: '水成膜泡沫灭火剂(AFFF) 3%型 200L/桶',
    unit: '桶', referencePrice: '3200.00', storageLifeMonths: 96, rotationLeadMonths: 12,
    gbCode: null, recovery: NEVER,
  },
  {
    code: 'FIR-011', categoryCode: 'FIREFIGHTING', name: '抗溶性泡沫灭火剂',
    spec: '抗溶性水成膜泡沫灭火剂(AR-AFFF) 3%/6%型 200L/桶',
    unit: '桶', referencePrice: '4300.00', storageLifeMonths: 60, rotationLeadMonths: 12,
    gbCode: null, recovery: NEVER,
  },
  {
    code: 'FIR-012', categoryCode: 'FIREFIGHTING', name: '高倍数泡沫灭火剂',
    spec: '高倍数合成泡沫灭火剂 3%型 200L/桶',
    unit: '桶', referencePrice: '2600.00', storageLifeMonths: 60, rotationLeadMonths: 12,
    gbCode: null, recovery: NEVER,
  },
  {
    code: 'FIR-013', categoryCode: 'FIREFIGHTING', name: '高倍数泡沫发生器',
    spec: '水力驱动式 发泡倍数≥200 泡沫产生量200m³/min',
    unit: '台', referencePrice: '18500.00', storageLifeMonths: null, rotationLeadMonths: 12,
    gbCode: null, recovery: ALWAYS,
  },
  {
    code: 'FIR-014', categoryCode: 'FIREFIGHTING', name: '泡沫管枪',
    spec: 'PQ8 混合液流量8L/s 额定工作压力0.7MPa 射程≥24m',
    unit: '支', referencePrice: '680.00', storageLifeMonths: null, rotationLeadMonths: 12,
    gbCode: null, recovery: ALWAYS,
  },

  // ── 3. 森林草原防灭火物资装备 ────────────────────────────────────────
  {
    code: 'FOR-001', categoryCode: 'FOREST_FIRE', name: '风力灭火机',
    spec: '背负式 二冲程汽油机 出口风速≥60m/s 整机≤12kg',
    unit: '台', referencePrice: '3600.00', storageLifeMonths: null, rotationLeadMonths: 12,
    gbCode: null, recovery: ALWAYS,
  },
  {
    code: 'FOR-002', categoryCode: 'FOREST_FIRE', name: '以水灭火机具',
    spec: '背负式高压细水雾灭火机 水箱20L 汽油机驱动 射程≥10m',
    unit: '台', referencePrice: '8600.00', storageLifeMonths: null, rotationLeadMonths: 12,
    gbCode: null, recovery: ALWAYS,
  },
  {
    code: 'FOR-003', categoryCode: 'FOREST_FIRE', name: '背负式灭火水枪',
    spec: '软体水囊20L 双向活塞式手动水枪',
    unit: '支', referencePrice: '280.00', storageLifeMonths: 60, rotationLeadMonths: 12,
    gbCode: null, recovery: ALWAYS,
  },
  {
    code: 'FOR-004', categoryCode: 'FOREST_FIRE', name: '森林消防高压水泵',
    spec: '便携式 四冲程汽油机 扬程≥300m 流量≥100L/min',
    unit: '台', referencePrice: '16500.00', storageLifeMonths: null, rotationLeadMonths: 12,
    gbCode: null, recovery: ALWAYS,
  },
  {
    code: 'FOR-005', categoryCode: 'FOREST_FIRE', name: '新型扑打工具',
    spec: '阻燃橡胶拍面 铝合金伸缩杆 长1.5m',
    unit: '把', referencePrice: '120.00', storageLifeMonths: null, rotationLeadMonths: 12,
    gbCode: null, recovery: ALWAYS,
  },
  {
    code: 'FOR-006', categoryCode: 'FOREST_FIRE', name: '火场切割工具',
    spec: '油锯 汽油动力 排量≥50cc 导板长45cm',
    unit: '台', referencePrice: '2800.00', storageLifeMonths: null, rotationLeadMonths: 12,
    gbCode: null, recovery: ALWAYS,
  },
  {
    code: 'FOR-007', categoryCode: 'FOREST_FIRE', name: '割灌机',
    spec: '背负式 汽油动力 排量≥40cc 配刀片及打草头',
    unit: '台', referencePrice: '2200.00', storageLifeMonths: null, rotationLeadMonths: 12,
    gbCode: null, recovery: ALWAYS,
  },
  {
    code: 'FOR-008', categoryCode: 'FOREST_FIRE', name: '智能头盔',
    spec: '森林消防头盔 集成4G图传摄像头、北斗定位、头灯及语音对讲',
    unit: '顶', referencePrice: '5800.00', storageLifeMonths: null, rotationLeadMonths: 12,
    gbCode: null, recovery: ALWAYS,
  },
  {
    code: 'FOR-009', categoryCode: 'FOREST_FIRE', name: '过滤式呼吸面罩',
    spec: '森林消防用 半面罩 可更换颗粒物/一氧化碳复合滤盒',
    unit: '个', referencePrice: '230.00', storageLifeMonths: 60, rotationLeadMonths: 12,
    gbCode: null, recovery: ALWAYS,
  },
  {
    code: 'FOR-010', categoryCode: 'FOREST_FIRE', name: '阻燃防护服',
    spec: '森林防火阻燃服 芳纶面料 分体式 橘红色 带反光条',
    unit: '套', referencePrice: '1250.00', storageLifeMonths: 60, rotationLeadMonths: 12,
    gbCode: null, recovery: ALWAYS,
  },
  {
    code: 'FOR-011', categoryCode: 'FOREST_FIRE', name: '隔离带挖掘机',
    spec: '履带式 小型 柴油动力≥30kW 配开沟铲及清障装置',
    unit: '台', referencePrice: '268000.00', storageLifeMonths: null, rotationLeadMonths: 12,
    gbCode: null, recovery: ALWAYS,
  },
  {
    code: 'FOR-012', categoryCode: 'FOREST_FIRE', name: '小型无人侦察机',
    spec: '四旋翼 续航≥40min 可见光+红外热成像双光吊舱 图传距离≥10km',
    unit: '架', referencePrice: '86000.00', storageLifeMonths: null, rotationLeadMonths: 12,
    gbCode: null, recovery: ALWAYS,
  },
  {
    code: 'FOR-013', categoryCode: 'FOREST_FIRE', name: '单兵通信终端',
    spec: '手持式 北斗短报文+数字集群对讲 IP67',
    unit: '台', referencePrice: '9800.00', storageLifeMonths: null, rotationLeadMonths: 12,
    gbCode: null, recovery: ALWAYS,
  },
  {
    code: 'FOR-014', categoryCode: 'FOREST_FIRE', name: '森林消防帐篷',
    spec: '班用 12平方米 单层 阻燃防水面料 铝合金骨架 轻便携行',
    unit: '顶', referencePrice: '2600.00', storageLifeMonths: 96, rotationLeadMonths: 12,
    gbCode: null, recovery: within(6),
  },
  {
    code: 'FOR-015', categoryCode: 'FOREST_FIRE', name: '森林消防睡袋',
    spec: '木乃伊式 中空棉填充 舒适温度-10℃ 带压缩袋',
    unit: '个', referencePrice: '380.00', storageLifeMonths: 72, rotationLeadMonths: 12,
    gbCode: null, recovery: NEVER,
  },
  {
    code: 'FOR-016', categoryCode: 'FOREST_FIRE', name: '全道路运兵车',
    spec: '全地形 越野底盘 载员≥10人 四驱 含通信及照明',
    unit: '辆', referencePrice: '680000.00', storageLifeMonths: null, rotationLeadMonths: 12,
    gbCode: null, recovery: ALWAYS,
  },
  {
    code: 'FOR-017', categoryCode: 'FOREST_FIRE', name: '履带式森林消防车',
    spec: '履带底盘 载水≥2吨 带高压水泵及水炮 适用山地林区',
    unit: '辆', referencePrice: '1800000.00', storageLifeMonths: null, rotationLeadMonths: 12,
    gbCode: null, recovery: ALWAYS,
  },
  {
    code: 'FOR-018', categoryCode: 'FOREST_FIRE', name: '履带式水泡车',
    spec: '履带底盘 水罐≥3吨 车载水炮 适用无路林区',
    unit: '辆', referencePrice: '1500000.00', storageLifeMonths: null, rotationLeadMonths: 12,
    gbCode: null, recovery: ALWAYS,
  },
  {
    code: 'FOR-019', categoryCode: 'FOREST_FIRE', name: '前线移动指挥车',
    spec: '越野底盘 集成卫星通信、图传、会商及供电',
    unit: '辆', referencePrice: '1200000.00', storageLifeMonths: null, rotationLeadMonths: 12,
    gbCode: null, recovery: ALWAYS,
  },
  {
    code: 'FOR-020', categoryCode: 'FOREST_FIRE', name: '移动水池',
    spec: '折叠式 容积≥10立方米 PVC涂层布 自支撑',
    unit: '个', referencePrice: '6800.00', storageLifeMonths: null, rotationLeadMonths: 12,
    gbCode: null, recovery: ALWAYS,
  },
  {
    code: 'FOR-021', categoryCode: 'FOREST_FIRE', name: '电动水枪',
    spec: '背负式 锂电驱动 射程≥10m 配储水袋',
    unit: '支', referencePrice: '2600.00', storageLifeMonths: null, rotationLeadMonths: 12,
    gbCode: null, recovery: ALWAYS,
  },

  // ── 4. 防汛抗旱物资装备 ──────────────────────────────────────────────
  {
    code: 'FLD-001', categoryCode: 'FLOOD', name: '编织袋',
    spec: '聚丙烯塑料编织袋 55cm×95cm 单条≥60g 抗老化',
    unit: '条', referencePrice: '1.10', storageLifeMonths: 36, rotationLeadMonths: 12,
    gbCode: null, recovery: NEVER,
  },
  {
    code: 'FLD-002', categoryCode: 'FLOOD', name: '土工布',
    spec: '聚丙烯机织(有纺)土工布 200g/平方米 幅宽4m',
    unit: '平方米', referencePrice: '4.50', storageLifeMonths: 60, rotationLeadMonths: 12,
    gbCode: null, recovery: NEVER,
  },
  {
    code: 'FLD-003', categoryCode: 'FLOOD', name: '无纺布',
    spec: '涤纶短纤针刺无纺布 200g/平方米 幅宽4m',
    unit: '平方米', referencePrice: '3.20', storageLifeMonths: 60, rotationLeadMonths: 12,
    gbCode: null, recovery: NEVER,
  },
  {
    code: 'FLD-004', categoryCode: 'FLOOD', name: '防管涌单元',
    spec: '组合式防管涌围井 单元直径1.0m 高0.5m 高分子材料 可拼接',
    unit: '套', referencePrice: '1850.00', storageLifeMonths: null, rotationLeadMonths: 12,
    gbCode: null, recovery: ALWAYS,
  },
  {
    code: 'FLD-005', categoryCode: 'FLOOD', name: '抢险网兜',
    spec: '镀锌钢丝网兜 网孔10cm 1.5m×1.5m 装石量约1立方米',
    unit: '个', referencePrice: '150.00', storageLifeMonths: 60, rotationLeadMonths: 12,
    gbCode: null, recovery: NEVER,
  },
  {
    code: 'FLD-006', categoryCode: 'FLOOD', name: '防洪子堤',
    spec: '组合式挡水子堤 挡水高度0.8m 单元长1m 铝合金框架+高分子挡板',
    unit: '米', referencePrice: '1600.00', storageLifeMonths: null, rotationLeadMonths: 12,
    gbCode: null, recovery: ALWAYS,
  },
  {
    code: 'FLD-007', categoryCode: 'FLOOD', name: '木桩',
    spec: '松木 长2.0m 梢径≥10cm 一端削尖',
    unit: '根', referencePrice: '35.00', storageLifeMonths: 36, rotationLeadMonths: 12,
    gbCode: null, recovery: NEVER,
  },
  {
    code: 'FLD-008', categoryCode: 'FLOOD', name: '铁线',
    spec: '镀锌铁丝 8号 直径4.0mm 成盘',
    unit: '千克', referencePrice: '7.50', storageLifeMonths: 60, rotationLeadMonths: 12,
    gbCode: null, recovery: NEVER,
  },
  {
    code: 'FLD-009', categoryCode: 'FLOOD', name: '救生衣',
    spec: '抢险救生衣 成人 浮力≥100N 橙色 带反光条及救生哨',
    unit: '件', referencePrice: '125.00', storageLifeMonths: 60, rotationLeadMonths: 12,
    gbCode: null, recovery: ALWAYS,
  },
  {
    code: 'FLD-010', categoryCode: 'FLOOD', name: '救生圈',
    spec: '聚乙烯外壳 发泡填充 外径720mm 2.5kg 带反光带及救生绳',
    unit: '只', referencePrice: '95.00', storageLifeMonths: 60, rotationLeadMonths: 12,
    gbCode: null, recovery: ALWAYS,
  },
  {
    code: 'FLD-011', categoryCode: 'FLOOD', name: '橡皮艇',
    spec: '充气橡皮艇 长4.3m 载员8人 PVC夹网布 配25马力舷外机',
    unit: '艘', referencePrice: '26000.00', storageLifeMonths: null, rotationLeadMonths: 12,
    gbCode: null, recovery: ALWAYS,
  },
  {
    code: 'FLD-012', categoryCode: 'FLOOD', name: '冲锋舟',
    spec: '玻璃钢冲锋舟 长5.2m 载员10人 配40马力舷外机',
    unit: '艘', referencePrice: '86000.00', storageLifeMonths: null, rotationLeadMonths: 12,
    gbCode: null, recovery: ALWAYS,
  },
  {
    code: 'FLD-013', categoryCode: 'FLOOD', name: '救生船',
    spec: '铝合金救生船 长6.0m 载员12人 配60马力舷外机',
    unit: '艘', referencePrice: '138000.00', storageLifeMonths: null, rotationLeadMonths: 12,
    gbCode: null, recovery: ALWAYS,
  },
  {
    code: 'FLD-014', categoryCode: 'FLOOD', name: '巡堤查险灯具',
    spec: '手提式强光巡检灯 LED 30W 锂电池 续航≥8h 防水IP66',
    unit: '盏', referencePrice: '480.00', storageLifeMonths: null, rotationLeadMonths: 12,
    gbCode: null, recovery: ALWAYS,
  },
  {
    code: 'FLD-015', categoryCode: 'FLOOD', name: '大型移动灯塔',
    spec: '拖车式移动照明灯塔 LED 4×400W 升降高度9m 自带柴油发电机',
    unit: '台', referencePrice: '58000.00', storageLifeMonths: null, rotationLeadMonths: 12,
    gbCode: null, recovery: ALWAYS,
  },
  {
    code: 'FLD-016', categoryCode: 'FLOOD', name: '汽油发电机',
    spec: '5kW 单相220V 开架式 电启动',
    unit: '台', referencePrice: '4800.00', storageLifeMonths: null, rotationLeadMonths: 12,
    gbCode: null, recovery: ALWAYS,
  },
  {
    code: 'FLD-017', categoryCode: 'FLOOD', name: '柴油发电机组',
    spec: '50kW 三相380V 静音箱式 拖车移动式',
    unit: '台', referencePrice: '68000.00', storageLifeMonths: null, rotationLeadMonths: 12,
    gbCode: null, recovery: ALWAYS,
  },
  {
    code: 'FLD-018', categoryCode: 'FLOOD', name: '排涝泵',
    spec: '移动式潜水轴流排涝泵 流量500m³/h 扬程10m 配电控柜及软管',
    unit: '台', referencePrice: '42000.00', storageLifeMonths: null, rotationLeadMonths: 12,
    gbCode: null, recovery: ALWAYS,
  },
  {
    code: 'FLD-019', categoryCode: 'FLOOD', name: '水泵',
    spec: '柴油机自吸泵 4寸 流量100m³/h 扬程30m',
    unit: '台', referencePrice: '9500.00', storageLifeMonths: null, rotationLeadMonths: 12,
    gbCode: null, recovery: ALWAYS,
  },
  {
    code: 'FLD-020', categoryCode: 'FLOOD', name: '喷灌机',
    spec: '卷盘式喷灌机 PE管直径75mm 长300m 喷洒宽度≥50m',
    unit: '台', referencePrice: '28000.00', storageLifeMonths: null, rotationLeadMonths: 12,
    gbCode: null, recovery: ALWAYS,
  },
  {
    code: 'FLD-021', categoryCode: 'FLOOD', name: '折叠水囊',
    spec: '5立方米 PVC夹网布 折叠式 带进出水阀',
    unit: '个', referencePrice: '2200.00', storageLifeMonths: 60, rotationLeadMonths: 12,
    gbCode: null, recovery: ALWAYS,
  },
  {
    code: 'FLD-022', categoryCode: 'FLOOD', name: '无人机',
    spec: '六旋翼 防汛巡查 载重≥10kg 续航≥35min 可挂载抛投器、喊话器、探照灯',
    unit: '架', referencePrice: '118000.00', storageLifeMonths: null, rotationLeadMonths: 12,
    gbCode: null, recovery: ALWAYS,
  },
  {
    code: 'FLD-023', categoryCode: 'FLOOD', name: '抢险指挥艇',
    spec: '玻璃钢/铝合金艇体 载员≥8人 配导航及通信',
    unit: '艘', referencePrice: '380000.00', storageLifeMonths: null, rotationLeadMonths: 12,
    gbCode: null, recovery: ALWAYS,
  },
  {
    code: 'FLD-024', categoryCode: 'FLOOD', name: '船外机',
    spec: '汽油 40马力 四冲程 适配冲锋舟/橡皮艇',
    unit: '台', referencePrice: '32000.00', storageLifeMonths: null, rotationLeadMonths: 12,
    gbCode: null, recovery: ALWAYS,
  },
  {
    code: 'FLD-025', categoryCode: 'FLOOD', name: '应急通讯指挥车',
    spec: '越野底盘 卫星通信、短波、公网集群及图传 自带发电',
    unit: '辆', referencePrice: '1600000.00', storageLifeMonths: null, rotationLeadMonths: 12,
    gbCode: null, recovery: ALWAYS,
  },
  {
    // 晋城 专栏 4 (4) and 河曲 list it with the 防汛抗旱 抢险装备 (sweep 19b F3); it was FIR-015 until migration 0042.
    code: 'FLD-026', categoryCode: 'FLOOD', name: '水下探测设备',
    spec: '水下声呐/水下摄像探测 探测深度≥50m 含显示终端及线缆',
    unit: '套', referencePrice: '86000.00', storageLifeMonths: null, rotationLeadMonths: 12,
    gbCode: null, recovery: ALWAYS,
  },

  // ── 5. 矿山事故救援物资装备 ──────────────────────────────────────────
  {
    code: 'MIN-001', categoryCode: 'MINE_RESCUE', name: '潜水泵',
    spec: '矿用隔爆型潜水排沙电泵 流量50m³/h 扬程100m 37kW 660/1140V',
    unit: '台', referencePrice: '28000.00', storageLifeMonths: null, rotationLeadMonths: 12,
    gbCode: null, recovery: ALWAYS,
  },
  {
    code: 'MIN-002', categoryCode: 'MINE_RESCUE', name: '排水管路',
    spec: '矿用聚乙烯排水管 DN150 PN2.5MPa 每根6m 快速接头',
    unit: '米', referencePrice: '96.00', storageLifeMonths: null, rotationLeadMonths: 12,
    gbCode: null, recovery: ALWAYS,
  },
  {
    code: 'MIN-003', categoryCode: 'MINE_RESCUE', name: '应急电源',
    spec: '矿用隔爆兼本质安全型 锂电池 容量10kWh 输出660V/127V',
    unit: '台', referencePrice: '46000.00', storageLifeMonths: null, rotationLeadMonths: 12,
    gbCode: null, recovery: ALWAYS,
  },
  {
    code: 'MIN-004', categoryCode: 'MINE_RESCUE', name: '矿山救援帐篷',
    spec: '充气式 24平方米 双层保温 阻燃 可作现场救援基地',
    unit: '顶', referencePrice: '9600.00', storageLifeMonths: 96, rotationLeadMonths: 12,
    gbCode: null, recovery: within(12),
  },
  {
    code: 'MIN-005', categoryCode: 'MINE_RESCUE', name: '正压氧气呼吸器',
    spec: '4小时 正压式 隔绝闭路循环 配氧气瓶',
    unit: '台', referencePrice: '12800.00', storageLifeMonths: null, rotationLeadMonths: 12,
    gbCode: null, recovery: ALWAYS,
  },
  {
    code: 'MIN-006', categoryCode: 'MINE_RESCUE', name: '压缩氧自救器',
    spec: '隔绝式 额定防护时间45min',
    unit: '台', referencePrice: '880.00', storageLifeMonths: 96, rotationLeadMonths: 12,
    gbCode: null, recovery: NEVER,
  },
  {
    code: 'MIN-007', categoryCode: 'MINE_RESCUE', name: '便携式多参数气体检测仪',
    spec: '矿用本安型 检测CH4、CO、O2、H2S 声光报警',
    unit: '台', referencePrice: '4500.00', storageLifeMonths: null, rotationLeadMonths: 12,
    gbCode: null, recovery: ALWAYS,
  },
];

/**
 * Administrative regions used by the seed data (D1).
 *
 * Codes are the national 统计用区划代码 (12 digits; the first 6 are the 行政区划代码), names as published by
 * 国家统计局 (2023 vintage). Township (乡级) lists are complete for the counties listed below; special 乡级
 * units that are not 乡/镇/街道 (农场, 林业局, 监狱, 开发区 etc.) are left out.
 * Coordinates are approximate WGS-84 positions of each region's seat (town/government), 4 decimals.
 * Parents always precede their children.
 */
export type RegionLevel = 'PROVINCE' | 'CITY' | 'COUNTY' | 'TOWNSHIP' | 'VILLAGE';

export interface RegionSeed {
  code: string;
  name: string;
  level: RegionLevel;
  parentCode: string | null;
  lat: number;
  lng: number;
}

export const regionSeeds: readonly RegionSeed[] = [
  // ===== 山西省 =====
  { code: '140000000000', name: '山西省', level: 'PROVINCE', parentCode: null, lat: 37.8706, lng: 112.5489 },

  // ----- 晋城市 -----
  { code: '140500000000', name: '晋城市', level: 'CITY', parentCode: '140000000000', lat: 35.4907, lng: 112.8513 },
  { code: '140502000000', name: '城区', level: 'COUNTY', parentCode: '140500000000', lat: 35.5018, lng: 112.8535 },
  { code: '140521000000', name: '沁水县', level: 'COUNTY', parentCode: '140500000000', lat: 35.6905, lng: 112.1865 },
  { code: '140522000000', name: '阳城县', level: 'COUNTY', parentCode: '140500000000', lat: 35.4862, lng: 112.4148 },
  { code: '140524000000', name: '陵川县', level: 'COUNTY', parentCode: '140500000000', lat: 35.7753, lng: 113.2806 },
  { code: '140525000000', name: '泽州县', level: 'COUNTY', parentCode: '140500000000', lat: 35.442, lng: 112.833 },
  { code: '140581000000', name: '高平市', level: 'COUNTY', parentCode: '140500000000', lat: 35.798, lng: 112.9234 },

  // 晋城市泽州县 乡镇街道（16）
  { code: '140525100000', name: '南村镇', level: 'TOWNSHIP', parentCode: '140525000000', lat: 35.442, lng: 112.833 },
  { code: '140525101000', name: '下村镇', level: 'TOWNSHIP', parentCode: '140525000000', lat: 35.43, lng: 112.625 },
  { code: '140525102000', name: '大东沟镇', level: 'TOWNSHIP', parentCode: '140525000000', lat: 35.53, lng: 112.65 },
  { code: '140525103000', name: '周村镇', level: 'TOWNSHIP', parentCode: '140525000000', lat: 35.576, lng: 112.621 },
  { code: '140525104000', name: '犁川镇', level: 'TOWNSHIP', parentCode: '140525000000', lat: 35.353, lng: 112.676 },
  { code: '140525105000', name: '晋庙铺镇', level: 'TOWNSHIP', parentCode: '140525000000', lat: 35.31, lng: 112.942 },
  { code: '140525106000', name: '金村镇', level: 'TOWNSHIP', parentCode: '140525000000', lat: 35.523, lng: 112.786 },
  { code: '140525107000', name: '高都镇', level: 'TOWNSHIP', parentCode: '140525000000', lat: 35.598, lng: 112.958 },
  { code: '140525108000', name: '巴公镇', level: 'TOWNSHIP', parentCode: '140525000000', lat: 35.661, lng: 112.886 },
  { code: '140525109000', name: '大阳镇', level: 'TOWNSHIP', parentCode: '140525000000', lat: 35.656, lng: 112.742 },
  { code: '140525110000', name: '山河镇', level: 'TOWNSHIP', parentCode: '140525000000', lat: 35.386, lng: 112.752 },
  { code: '140525111000', name: '大箕镇', level: 'TOWNSHIP', parentCode: '140525000000', lat: 35.405, lng: 112.93 },
  { code: '140525112000', name: '柳树口镇', level: 'TOWNSHIP', parentCode: '140525000000', lat: 35.506, lng: 113.18 },
  { code: '140525113000', name: '北义城镇', level: 'TOWNSHIP', parentCode: '140525000000', lat: 35.635, lng: 112.803 },
  { code: '140525114000', name: '川底镇', level: 'TOWNSHIP', parentCode: '140525000000', lat: 35.485, lng: 112.7 },
  { code: '140525115000', name: '南岭镇', level: 'TOWNSHIP', parentCode: '140525000000', lat: 35.468, lng: 113.05 },

  // ----- 运城市 -----
  { code: '140800000000', name: '运城市', level: 'CITY', parentCode: '140000000000', lat: 35.0263, lng: 111.007 },
  { code: '140802000000', name: '盐湖区', level: 'COUNTY', parentCode: '140800000000', lat: 35.0154, lng: 111 },
  { code: '140821000000', name: '临猗县', level: 'COUNTY', parentCode: '140800000000', lat: 35.1443, lng: 110.774 },
  { code: '140822000000', name: '万荣县', level: 'COUNTY', parentCode: '140800000000', lat: 35.4156, lng: 110.838 },
  { code: '140823000000', name: '闻喜县', level: 'COUNTY', parentCode: '140800000000', lat: 35.3566, lng: 111.2242 },
  { code: '140824000000', name: '稷山县', level: 'COUNTY', parentCode: '140800000000', lat: 35.604, lng: 110.9832 },
  { code: '140825000000', name: '新绛县', level: 'COUNTY', parentCode: '140800000000', lat: 35.6165, lng: 111.2247 },
  { code: '140826000000', name: '绛县', level: 'COUNTY', parentCode: '140800000000', lat: 35.4911, lng: 111.5685 },
  { code: '140827000000', name: '垣曲县', level: 'COUNTY', parentCode: '140800000000', lat: 35.2972, lng: 111.6705 },
  { code: '140828000000', name: '夏县', level: 'COUNTY', parentCode: '140800000000', lat: 35.1413, lng: 111.2203 },
  { code: '140829000000', name: '平陆县', level: 'COUNTY', parentCode: '140800000000', lat: 34.8296, lng: 111.1943 },
  { code: '140830000000', name: '芮城县', level: 'COUNTY', parentCode: '140800000000', lat: 34.6938, lng: 110.6946 },
  { code: '140881000000', name: '永济市', level: 'COUNTY', parentCode: '140800000000', lat: 34.867, lng: 110.4477 },
  { code: '140882000000', name: '河津市', level: 'COUNTY', parentCode: '140800000000', lat: 35.5963, lng: 110.7117 },

  // 运城市永济市 乡镇街道（10）
  { code: '140881001000', name: '城西街道', level: 'TOWNSHIP', parentCode: '140881000000', lat: 34.867, lng: 110.438 },
  { code: '140881002000', name: '城北街道', level: 'TOWNSHIP', parentCode: '140881000000', lat: 34.88, lng: 110.452 },
  { code: '140881003000', name: '城东街道', level: 'TOWNSHIP', parentCode: '140881000000', lat: 34.864, lng: 110.462 },
  { code: '140881100000', name: '虞乡镇', level: 'TOWNSHIP', parentCode: '140881000000', lat: 34.835, lng: 110.619 },
  { code: '140881101000', name: '卿头镇', level: 'TOWNSHIP', parentCode: '140881000000', lat: 34.952, lng: 110.523 },
  { code: '140881102000', name: '开张镇', level: 'TOWNSHIP', parentCode: '140881000000', lat: 34.932, lng: 110.427 },
  { code: '140881103000', name: '栲栳镇', level: 'TOWNSHIP', parentCode: '140881000000', lat: 35.009, lng: 110.402 },
  { code: '140881104000', name: '蒲州镇', level: 'TOWNSHIP', parentCode: '140881000000', lat: 34.834, lng: 110.322 },
  { code: '140881105000', name: '韩阳镇', level: 'TOWNSHIP', parentCode: '140881000000', lat: 34.758, lng: 110.327 },
  { code: '140881106000', name: '张营镇', level: 'TOWNSHIP', parentCode: '140881000000', lat: 34.844, lng: 110.544 },

  // ----- 忻州市 -----
  { code: '140900000000', name: '忻州市', level: 'CITY', parentCode: '140000000000', lat: 38.4163, lng: 112.7341 },
  { code: '140930000000', name: '河曲县', level: 'COUNTY', parentCode: '140900000000', lat: 39.3843, lng: 111.1384 },

  // 忻州市河曲县 乡镇街道（11）
  { code: '140930100000', name: '西口镇', level: 'TOWNSHIP', parentCode: '140930000000', lat: 39.3843, lng: 111.1384 },
  { code: '140930101000', name: '楼子营镇', level: 'TOWNSHIP', parentCode: '140930000000', lat: 39.32, lng: 111.16 },
  { code: '140930102000', name: '刘家塔镇', level: 'TOWNSHIP', parentCode: '140930000000', lat: 39.24, lng: 111.19 },
  { code: '140930103000', name: '巡镇镇', level: 'TOWNSHIP', parentCode: '140930000000', lat: 39.365, lng: 111.3 },
  { code: '140930104000', name: '旧县镇', level: 'TOWNSHIP', parentCode: '140930000000', lat: 39.47, lng: 111.22 },
  { code: '140930105000', name: '沙泉镇', level: 'TOWNSHIP', parentCode: '140930000000', lat: 39.27, lng: 111.34 },
  { code: '140930200000', name: '鹿固乡', level: 'TOWNSHIP', parentCode: '140930000000', lat: 39.35, lng: 111.45 },
  { code: '140930202000', name: '单寨乡', level: 'TOWNSHIP', parentCode: '140930000000', lat: 39.21, lng: 111.28 },
  { code: '140930203000', name: '土沟乡', level: 'TOWNSHIP', parentCode: '140930000000', lat: 39.43, lng: 111.43 },
  { code: '140930205000', name: '沙坪乡', level: 'TOWNSHIP', parentCode: '140930000000', lat: 39.5, lng: 111.33 },
  { code: '140930206000', name: '社梁乡', level: 'TOWNSHIP', parentCode: '140930000000', lat: 39.32, lng: 111.52 },

  // ===== 吉林省 =====
  { code: '220000000000', name: '吉林省', level: 'PROVINCE', parentCode: null, lat: 43.8171, lng: 125.3235 },

  // ----- 延边朝鲜族自治州 -----
  { code: '222400000000', name: '延边朝鲜族自治州', level: 'CITY', parentCode: '220000000000', lat: 42.8913, lng: 129.509 },
  { code: '222404000000', name: '珲春市', level: 'COUNTY', parentCode: '222400000000', lat: 42.8625, lng: 130.3659 },

  // 延边朝鲜族自治州珲春市 乡镇街道（14）
  { code: '222404001000', name: '靖和街道', level: 'TOWNSHIP', parentCode: '222404000000', lat: 42.87, lng: 130.35 },
  { code: '222404002000', name: '新安街道', level: 'TOWNSHIP', parentCode: '222404000000', lat: 42.88, lng: 130.38 },
  { code: '222404003000', name: '河南街道', level: 'TOWNSHIP', parentCode: '222404000000', lat: 42.852, lng: 130.36 },
  { code: '222404006000', name: '海东街道', level: 'TOWNSHIP', parentCode: '222404000000', lat: 42.868, lng: 130.39 },
  { code: '222404060000', name: '近海街道', level: 'TOWNSHIP', parentCode: '222404000000', lat: 42.835, lng: 130.4 },
  { code: '222404100000', name: '春化镇', level: 'TOWNSHIP', parentCode: '222404000000', lat: 43.05, lng: 130.75 },
  { code: '222404101000', name: '敬信镇', level: 'TOWNSHIP', parentCode: '222404000000', lat: 42.57, lng: 130.58 },
  { code: '222404102000', name: '板石镇', level: 'TOWNSHIP', parentCode: '222404000000', lat: 42.92, lng: 130.5 },
  { code: '222404103000', name: '英安镇', level: 'TOWNSHIP', parentCode: '222404000000', lat: 42.95, lng: 130.26 },
  { code: '222404200000', name: '马川子乡', level: 'TOWNSHIP', parentCode: '222404000000', lat: 42.82, lng: 130.21 },
  { code: '222404201000', name: '杨泡满族乡', level: 'TOWNSHIP', parentCode: '222404000000', lat: 42.99, lng: 130.5 },
  { code: '222404202000', name: '三家子满族乡', level: 'TOWNSHIP', parentCode: '222404000000', lat: 42.79, lng: 130.3 },
  { code: '222404203000', name: '密江乡', level: 'TOWNSHIP', parentCode: '222404000000', lat: 42.98, lng: 130.04 },
  { code: '222404204000', name: '哈达门乡', level: 'TOWNSHIP', parentCode: '222404000000', lat: 43.06, lng: 130.27 },

  // ===== 河南省 =====
  { code: '410000000000', name: '河南省', level: 'PROVINCE', parentCode: null, lat: 34.7466, lng: 113.6254 },

  // ----- 新乡市 -----
  { code: '410700000000', name: '新乡市', level: 'CITY', parentCode: '410000000000', lat: 35.3027, lng: 113.9268 },
  { code: '410702000000', name: '红旗区', level: 'COUNTY', parentCode: '410700000000', lat: 35.3032, lng: 113.8752 },
  { code: '410703000000', name: '卫滨区', level: 'COUNTY', parentCode: '410700000000', lat: 35.3022, lng: 113.8664 },
  { code: '410704000000', name: '凤泉区', level: 'COUNTY', parentCode: '410700000000', lat: 35.384, lng: 113.9153 },
  { code: '410711000000', name: '牧野区', level: 'COUNTY', parentCode: '410700000000', lat: 35.315, lng: 113.9086 },
  { code: '410721000000', name: '新乡县', level: 'COUNTY', parentCode: '410700000000', lat: 35.1906, lng: 113.806 },
  { code: '410724000000', name: '获嘉县', level: 'COUNTY', parentCode: '410700000000', lat: 35.2595, lng: 113.6572 },
  { code: '410725000000', name: '原阳县', level: 'COUNTY', parentCode: '410700000000', lat: 35.0654, lng: 113.94 },
  { code: '410726000000', name: '延津县', level: 'COUNTY', parentCode: '410700000000', lat: 35.1414, lng: 114.2054 },
  { code: '410727000000', name: '封丘县', level: 'COUNTY', parentCode: '410700000000', lat: 35.0412, lng: 114.4187 },
  { code: '410781000000', name: '卫辉市', level: 'COUNTY', parentCode: '410700000000', lat: 35.3985, lng: 114.065 },
  { code: '410782000000', name: '辉县市', level: 'COUNTY', parentCode: '410700000000', lat: 35.4623, lng: 113.8059 },
  { code: '410783000000', name: '长垣市', level: 'COUNTY', parentCode: '410700000000', lat: 35.201, lng: 114.6688 },

  // 新乡市新乡县 乡镇街道（7）
  { code: '410721101000', name: '翟坡镇', level: 'TOWNSHIP', parentCode: '410721000000', lat: 35.215, lng: 113.82 },
  { code: '410721102000', name: '小冀镇', level: 'TOWNSHIP', parentCode: '410721000000', lat: 35.1906, lng: 113.806 },
  { code: '410721103000', name: '七里营镇', level: 'TOWNSHIP', parentCode: '410721000000', lat: 35.13, lng: 113.87 },
  { code: '410721104000', name: '朗公庙镇', level: 'TOWNSHIP', parentCode: '410721000000', lat: 35.16, lng: 113.74 },
  { code: '410721105000', name: '古固寨镇', level: 'TOWNSHIP', parentCode: '410721000000', lat: 35.19, lng: 113.93 },
  { code: '410721107000', name: '大召营镇', level: 'TOWNSHIP', parentCode: '410721000000', lat: 35.24, lng: 113.73 },
  { code: '410721200000', name: '合河乡', level: 'TOWNSHIP', parentCode: '410721000000', lat: 35.27, lng: 113.78 },

  // 新乡市卫辉市 乡镇街道（13）
  { code: '410781100000', name: '汲水镇', level: 'TOWNSHIP', parentCode: '410781000000', lat: 35.3985, lng: 114.065 },
  { code: '410781101000', name: '太公镇', level: 'TOWNSHIP', parentCode: '410781000000', lat: 35.49, lng: 114.02 },
  { code: '410781102000', name: '孙杏村镇', level: 'TOWNSHIP', parentCode: '410781000000', lat: 35.35, lng: 114.13 },
  { code: '410781103000', name: '后河镇', level: 'TOWNSHIP', parentCode: '410781000000', lat: 35.46, lng: 114.14 },
  { code: '410781104000', name: '李源屯镇', level: 'TOWNSHIP', parentCode: '410781000000', lat: 35.37, lng: 113.99 },
  { code: '410781105000', name: '唐庄镇', level: 'TOWNSHIP', parentCode: '410781000000', lat: 35.45, lng: 113.97 },
  { code: '410781106000', name: '上乐村镇', level: 'TOWNSHIP', parentCode: '410781000000', lat: 35.5, lng: 114.19 },
  { code: '410781201000', name: '狮豹头乡', level: 'TOWNSHIP', parentCode: '410781000000', lat: 35.56, lng: 113.89 },
  { code: '410781203000', name: '安都乡', level: 'TOWNSHIP', parentCode: '410781000000', lat: 35.46, lng: 114.22 },
  { code: '410781204000', name: '顿坊店乡', level: 'TOWNSHIP', parentCode: '410781000000', lat: 35.31, lng: 114.05 },
  { code: '410781205000', name: '柳庄乡', level: 'TOWNSHIP', parentCode: '410781000000', lat: 35.39, lng: 114.2 },
  { code: '410781206000', name: '庞寨乡', level: 'TOWNSHIP', parentCode: '410781000000', lat: 35.35, lng: 114.23 },
  { code: '410781208000', name: '城郊乡', level: 'TOWNSHIP', parentCode: '410781000000', lat: 35.41, lng: 114.08 },
];

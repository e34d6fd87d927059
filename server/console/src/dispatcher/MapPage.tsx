import { useMemo, useState } from 'react';
import { Button, Card, Space, Tag, Typography } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { CircleMarker, Tooltip } from 'react-leaflet';
import { useNavigate } from 'react-router-dom';
import { useQuery } from 'urql';
import { useAllPages } from '../common/allPages';
import { useUser } from '../app/session';
import { BaseMap, stockColour } from '../common/map/BaseMap';
import { ItemSelect } from '../common/ItemSelect';
import { INCIDENT_TYPE, labelOf, STORE_KIND } from '../common/labels';
import { formatQuantity } from '../common/format';
import { CreateIncidentModal } from './CreateIncidentModal';
import { nearest } from './geo';
import { ItemStockQuery, MapIncidentsQuery, MapItemUnitQuery, MapStoresQuery } from './queries';

const DEFAULT_CENTER = { lat: 35.3, lng: 113.9 };

/** An incident's marker: red while it runs, grey once closed (L16: closed ones looked exactly like active ones). */
const INCIDENT_PATH = {
  active: { color: '#a8071a', fillColor: '#ff4d4f', fillOpacity: 0.8 },
  closed: { color: '#8c8c8c', fillColor: '#d9d9d9', fillOpacity: 0.8 },
};

/**
 * 一张图: the region's stores coloured by the stock of a chosen item, its incidents; a click creates an incident there,
 * and so does the 新建事件 button, by keyboard too, with the location typed in the dialog (sweep 22c F2). A
 * running incident's name stands above it in small type; a closed one is grey, its name (已结束) shown on hover, so
 * that the labels hide fewer stores (L16).
 */
export default function MapPage() {
  const user = useUser();
  const regionCode = user.region?.code ?? null;
  const [itemId, setItemId] = useState<string>();
  // The dialog open, at the spot clicked — or without one (the 新建事件 button): the dialog then asks where.
  const [creating, setCreating] = useState<{ at?: { lat: number; lng: number; regionCode?: string } }>();
  const navigate = useNavigate();
  const { nodes: storeNodes } = useAllPages(MapStoresQuery, { regionCode }, (d) => d.stores);
  const { nodes: incidentNodes } = useAllPages(MapIncidentsQuery, { regionCode }, (d) => d.incidents);
  const { nodes: stock } = useAllPages(ItemStockQuery, itemId ? { filter: { regionCode, itemId } } : undefined, (d) => d.stock);
  const [{ data: chosen }] = useQuery({ query: MapItemUnitQuery, variables: { id: itemId ?? '' }, pause: !itemId });
  const unit = chosen?.item?.id === itemId ? chosen?.item?.unit : undefined;

  const stores = useMemo(() => storeNodes ?? [], [storeNodes]);
  const byStore = useMemo(() => {
    const m = new Map<string, number>();
    for (const node of stock ?? []) m.set(node.store.id, (m.get(node.store.id) ?? 0) + node.available);
    return m;
  }, [stock]);
  const high = Math.max(1, ...byStore.values()) / 3;
  const regions = useMemo(() => [...new Map(stores.map((s) => [s.region.code, s.region])).values()], [stores]);
  const center = user.region?.location ?? stores[0]?.location ?? DEFAULT_CENTER;

  return (
    <Card
      title="一张图"
      extra={
        <Space>
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating({})}>
            新建事件
          </Button>
          <Typography.Text type="secondary">按物资着色</Typography.Text>
          <ItemSelect style={{ width: 240 }} allowClear value={itemId} onChange={setItemId} placeholder="选择物资" />
        </Space>
      }
    >
      <Typography.Paragraph type="secondary">
        点击地图空白处在该位置新建事件，或点「新建事件」填写区划和经纬度。事件：<Tag color="#cf1322">进行中</Tag>
        <Tag>已结束</Tag>
        {itemId && (
          <>
            <Tag color="#389e0d">充足</Tag>
            <Tag color="#fa8c16">偏少</Tag>
            <Tag color="#cf1322">无库存</Tag>
          </>
        )}
      </Typography.Paragraph>
      <BaseMap canvas center={center} zoom={9} onClick={(at) => setCreating({ at: { ...at, regionCode: nearest(at, stores)?.region.code } })}>
        {stores.map((s) => (
          <CircleMarker
            key={s.id}
            center={s.location}
            radius={s.level === 'TOWNSHIP' || s.level === 'VILLAGE' ? 5 : 8}
            bubblingMouseEvents={false}
            pathOptions={{ color: itemId ? stockColour(byStore.get(s.id) ?? 0, high) : '#1677ff', fillOpacity: 0.7, weight: 1 }}
          >
            <Tooltip>
              {/* Sweep 22c F6: the quantity with the item's unit, grouped — the one way the console writes one. */}
              {s.name}（{labelOf(STORE_KIND, s.kind)}）{itemId && ` · 可用 ${formatQuantity(byStore.get(s.id) ?? 0, unit)}`}
            </Tooltip>
          </CircleMarker>
        ))}
        {(incidentNodes ?? []).map((i) => (
          <CircleMarker
            key={i.id}
            center={i.location}
            radius={i.closedAt ? 8 : 11}
            bubblingMouseEvents={false}
            pathOptions={i.closedAt ? INCIDENT_PATH.closed : INCIDENT_PATH.active}
            eventHandlers={{ click: () => navigate(`/dispatch/incidents/${i.id}`) }}
          >
            {/* The key changes with permanence: react-leaflet sets a tooltip's options only when it is made. */}
            <Tooltip
              key={i.closedAt ? 'closed' : 'active'}
              permanent={!i.closedAt}
              direction="top"
              offset={[0, -8]}
              className={i.closedAt ? 'incident-label closed' : 'incident-label'}
            >
              {i.name}（{labelOf(INCIDENT_TYPE, i.type)}）{i.closedAt && ' · 已结束'}
            </Tooltip>
          </CircleMarker>
        ))}
      </BaseMap>
      {creating && <CreateIncidentModal at={creating.at} regions={regions} onClose={() => setCreating(undefined)} />}
    </Card>
  );
}

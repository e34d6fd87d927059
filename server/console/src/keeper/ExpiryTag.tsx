import { Tag } from 'antd';
import { todayInChina } from '../common/format';

/**
 * Expiry status in colour, from the API's own reckoning (China time): expired red (D26: frozen), past its rotate-by date
 * orange (D10), within 90 days gold, else green.
 */
export function ExpiryTag({
  expiryDate,
  rotateBy,
  expired,
  daysToExpiry,
}: {
  expiryDate: string | null;
  rotateBy: string | null;
  expired: boolean;
  daysToExpiry: number | null;
}) {
  if (!expiryDate || daysToExpiry === null) return <Tag>长期</Tag>;
  if (expired) return <Tag color="red">已过期 {expiryDate}</Tag>;
  if (rotateBy && rotateBy <= todayInChina()) return <Tag color="orange">应轮换 · {expiryDate}</Tag>;
  if (daysToExpiry === 0) return <Tag color="gold">今日到期（今天仍可用）</Tag>;
  if (daysToExpiry <= 90) return <Tag color="gold">{daysToExpiry} 天后到期</Tag>;
  return <Tag color="green">{expiryDate}</Tag>;
}

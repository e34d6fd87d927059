import { Tag } from 'antd';
import dayjs from 'dayjs';
import { todayInChina } from '../common/format';

/** Expiry status in colour: expired red, past its rotate-by date orange (D10), within 90 days gold, else green. */
export function ExpiryTag({ expiryDate, rotateBy }: { expiryDate: string | null; rotateBy: string | null }) {
  if (!expiryDate) return <Tag>长期</Tag>;
  const today = todayInChina();
  const days = dayjs(expiryDate).diff(dayjs(today), 'day');
  if (days < 0) return <Tag color="red">已过期 {expiryDate}</Tag>;
  if (rotateBy && rotateBy <= today) return <Tag color="orange">应轮换 · {expiryDate}</Tag>;
  if (days <= 90) return <Tag color="gold">{days} 天后到期</Tag>;
  return <Tag color="green">{expiryDate}</Tag>;
}

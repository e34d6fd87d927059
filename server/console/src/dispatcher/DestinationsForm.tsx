import { Button, Card, Form, Input, InputNumber, Space } from 'antd';
import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { ItemSelect } from '../common/ItemSelect';
import { QuantityInput, quantityRules } from '../common/QuantityInput';

export interface DestinationValues {
  name: string;
  regionCode: string;
  lat: number;
  lng: number;
  lines: { itemId: string; quantity: number }[];
}

/** A 安置点's card title: its name as typed (the map labels it so too). */
function DestinationTitle({ index }: { index: number }) {
  const name = Form.useWatch(['destinations', index, 'name'], Form.useFormInstance()) as string | undefined;
  return <span>{name?.trim() || '新安置点'}</span>;
}

/**
 * The 安置点 of a request with their demand; form names mirror DispatchRequestInput, so an API error naming
 * `input.destinations.0.lines.1.quantity` lands on that very field. New destinations come from clicks on the map.
 */
export function DestinationsForm() {
  return (
    <Form.List name="destinations">
      {(destinations, { remove }) =>
        destinations.map((d) => (
          <Card
            key={d.key}
            size="small"
            className="form-alert"
            title={<DestinationTitle index={d.name} />}
            extra={<MinusCircleOutlined aria-label="删除安置点" onClick={() => remove(d.name)} />}
          >
            {/* Sweep 19a F2: the name sat in the card's title as a bare (noStyle) field, which shows no message — a
                refusal there (「本事件已有安置点「安置点1」位于…」, D29; or 「请输入安置点名称」) was a red border only, and
                生成方案 / 提交方案 seemed to do nothing. A field of its own shows it underneath, as every other does. */}
            <Form.Item name={[d.name, 'name']} label="安置点名称" rules={[{ required: true, whitespace: true, message: '请输入安置点名称' }]}>
              <Input style={{ width: 220 }} placeholder="安置点名称" />
            </Form.Item>
            <Space wrap>
              <Form.Item name={[d.name, 'regionCode']} label="区划代码" rules={[{ required: true, message: '请填写区划代码' }]}>
                <Input style={{ width: 150 }} />
              </Form.Item>
              <Form.Item name={[d.name, 'lat']} label="纬度" rules={[{ required: true }]}>
                <InputNumber step={0.001} />
              </Form.Item>
              <Form.Item name={[d.name, 'lng']} label="经度" rules={[{ required: true }]}>
                <InputNumber step={0.001} />
              </Form.Item>
            </Space>
            <Form.List name={[d.name, 'lines']}>
              {(lines, { add, remove: removeLine }) => (
                <>
                  {lines.map((l) => (
                    <Space key={l.key} align="start" wrap>
                      <Form.Item name={[l.name, 'itemId']} rules={[{ required: true, message: '请选择物资' }]}>
                        <ItemSelect style={{ width: 240 }} />
                      </Form.Item>
                      <Form.Item name={[l.name, 'quantity']} rules={quantityRules('quantity', '请输入需求数量')}>
                        <QuantityInput placeholder="需求数量" />
                      </Form.Item>
                      <MinusCircleOutlined aria-label="删除需求" onClick={() => removeLine(l.name)} />
                    </Space>
                  ))}
                  <Button type="dashed" size="small" icon={<PlusOutlined />} onClick={() => add({})}>
                    添加需求
                  </Button>
                </>
              )}
            </Form.List>
          </Card>
        ))
      }
    </Form.List>
  );
}

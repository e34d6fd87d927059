import { useState, type ReactNode } from 'react';
import { Button, Form, Modal, type FormInstance } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import type { CombinedError } from 'urql';
import { showFieldErrors } from '../common/api-errors';
import { FormAlerts } from '../common/FormAlerts';

/**
 * A "新建" button (or, with `edit`, a row's "编辑" link) with its form in a modal: the API's errors land next to their
 * fields; on success it closes and tells the page to reload.
 */
export function FormModal<V>({
  title,
  children,
  submit,
  onDone,
  initialValues,
  name,
  fieldAliases,
  edit,
}: {
  title: string;
  children: ReactNode;
  submit: (values: V, form: FormInstance<V>) => Promise<{ error?: CombinedError }>;
  onDone: () => void;
  initialValues?: Partial<V>;
  /** The form's name (its fields' element ids start with it). */
  name?: string;
  /** API input fields shown by a differently named form field (validFrom → period). */
  fieldAliases?: Record<string, string>;
  /** Opened from a table row to change a record: a small link, the form filled with `initialValues`. */
  edit?: boolean;
}) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [alerts, setAlerts] = useState<string[]>([]);
  const [form] = Form.useForm<V>();
  const ok = async () => {
    const values = await form.validateFields();
    setAlerts([]);
    setBusy(true);
    const result = await submit(values, form).finally(() => setBusy(false));
    if (result.error) return setAlerts(showFieldErrors(form, result.error, { aliases: fieldAliases }));
    setOpen(false);
    form.resetFields();
    onDone();
  };
  return (
    <>
      {edit ? (
        <Button type="link" size="small" onClick={() => setOpen(true)}>
          编辑
        </Button>
      ) : (
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setOpen(true)}>
          {title}
        </Button>
      )}
      <Modal
        open={open}
        title={title}
        okText="保存"
        confirmLoading={busy}
        onOk={() => void ok().catch(() => {})}
        onCancel={() => setOpen(false)}
        destroyOnHidden
      >
        <FormAlerts messages={alerts} />
        <Form form={form} name={name} layout="vertical" initialValues={initialValues} preserve={false}>
          {children}
        </Form>
      </Modal>
    </>
  );
}

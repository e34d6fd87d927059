import { useState, type ReactNode } from 'react';
import { Button, Form, type FormInstance } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import type { CombinedError } from 'urql';
import { FormDialog } from '../common/FormDialog';
import { newIdempotencyKey } from '../common/format';

/**
 * A "新建" button (or, with `edit`, a row's "编辑" link) with its form in a modal: the API's errors land next to their
 * fields; on success it closes and tells the page to reload.
 */
export function FormModal<V>({
  title,
  children,
  submit,
  success,
  onDone,
  initialValues,
  name,
  fieldAliases,
  edit,
}: {
  title: string;
  children: ReactNode;
  /**
   * The API's answer; or `refused`, in words for the form's alerts, when the form found it should not be asked (the
   * dialog stays open). `idempotencyKey`: one per opening of the dialog, for a create mutation that takes one.
   */
  submit: (values: V, form: FormInstance<V>, idempotencyKey: string) => Promise<{ error?: CombinedError; refused?: string[] }>;
  /** Said once the API took it (e.g. 「…」已保存). */
  success?: (values: V) => string;
  /** Tells the page to reload, if it does not follow by itself. */
  onDone?: () => void;
  initialValues?: Partial<V>;
  /** The form's name (its fields' element ids start with it). */
  name?: string;
  /** API input fields shown by a differently named form field (validFrom → period). */
  fieldAliases?: Record<string, string>;
  /** Opened from a table row to change a record: a small link, the form filled with `initialValues`. */
  edit?: boolean;
}) {
  const [open, setOpen] = useState(false);
  const [form] = Form.useForm<V>();
  // Sweep 23c (retries): one key per opening, as 新建事件 keeps one — 保存 again after a lost answer gets the record
  // already created, never a second one nor 「已存在」; opened again, the dialog is a new request.
  const [key, setKey] = useState(newIdempotencyKey);
  const openDialog = () => {
    setKey(newIdempotencyKey());
    setOpen(true);
  };
  const close = (done: boolean) => {
    // Opened again, the form starts afresh (or from the record's values).
    form.resetFields();
    setOpen(false);
    if (done) onDone?.();
  };
  return (
    <>
      {edit ? (
        <Button type="link" size="small" onClick={openDialog}>
          编辑
        </Button>
      ) : (
        <Button type="primary" icon={<PlusOutlined />} onClick={openDialog}>
          {title}
        </Button>
      )}
      {open && (
        <FormDialog
          form={form}
          name={name}
          title={title}
          okText="保存"
          initialValues={initialValues}
          submit={async (values) => {
            const { error, refused } = await submit(values, form, key);
            if (refused) return { refused };
            return { error, mapping: { aliases: fieldAliases }, success: error ? undefined : success?.(values) };
          }}
          onClose={close}
        >
          {children}
        </FormDialog>
      )}
    </>
  );
}

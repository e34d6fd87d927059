import { useState, type ReactNode } from 'react';
import { App, Form, type FormInstance, type FormProps } from 'antd';
import { Modal } from './Modal';
import type { CombinedError } from 'urql';
import { showFieldErrors, type FieldMapping } from './api-errors';
import { FormAlerts } from './FormAlerts';

/** What a dialog's submission came to. */
export interface Submitted {
  /** The API refused: its messages go next to the fields they name (`mapping` says how the form names them). */
  error?: CombinedError;
  mapping?: FieldMapping;
  /** Refused before the API was asked, in words for the form's alerts. */
  refused?: string[];
  /** Said once it succeeded. */
  success?: string;
}

/**
 * A form in a modal, as every form that asks the API for one action is: OK validates the form, submits all its values
 * (fields and the initial values that are not on screen, such as a line's batch id), and shows the API's refusal next
 * to the fields it names — the rest above the form. On success it says so and closes with `done`. `submit` answers
 * nothing to keep the dialog open without a word (the form already shows why).
 */
export function FormDialog<V>({
  form,
  title,
  okText,
  cancelText,
  danger,
  width,
  name,
  initialValues,
  onValuesChange,
  intro,
  submit,
  onClose,
  children,
}: {
  form: FormInstance<V>;
  title: ReactNode;
  okText: string;
  cancelText?: string;
  /** The action cannot be undone from here (取消, 冲销, 报废): a red OK button. */
  danger?: boolean;
  width?: number;
  /** The form's name: its fields' element ids start with it. */
  name?: string;
  initialValues?: FormProps<V>['initialValues'];
  onValuesChange?: FormProps<V>['onValuesChange'];
  /** Above the alerts and the form: what the action does. */
  intro?: ReactNode;
  submit: (values: V) => Promise<Submitted | undefined>;
  onClose: (done: boolean) => void;
  children: ReactNode;
}) {
  const [busy, setBusy] = useState(false);
  const [alerts, setAlerts] = useState<string[]>([]);
  const { message } = App.useApp();
  const ok = async () => {
    await form.validateFields();
    setAlerts([]);
    setBusy(true);
    const result = await submit(form.getFieldsValue(true) as V).finally(() => setBusy(false));
    if (!result) return;
    if (result.refused) return setAlerts(result.refused);
    if (result.error) return setAlerts(showFieldErrors(form, result.error, result.mapping));
    if (result.success) void message.success(result.success);
    onClose(true);
  };
  return (
    <Modal
      open
      width={width}
      title={title}
      okText={okText}
      cancelText={cancelText}
      okButtonProps={danger ? { danger: true } : undefined}
      confirmLoading={busy}
      // What was typed is lost only by 取消 or ×, never by a click beside the dialog (a CI run's click landed on the
      // mask while the dialog was still zooming in, and the edit closed under it).
      maskClosable={false}
      // A form that does not validate shows why next to its fields.
      onOk={() => void ok().catch(() => {})}
      onCancel={() => onClose(false)}
    >
      {intro}
      <FormAlerts messages={alerts} />
      <Form form={form} name={name} layout="vertical" initialValues={initialValues} onValuesChange={onValuesChange}>
        {children}
      </Form>
    </Modal>
  );
}

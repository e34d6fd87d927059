import { Alert } from 'antd';

/** The API's messages that name no field of the form, above it. */
export function FormAlerts({ messages }: { messages: string[] }) {
  return (
    <>
      {messages.map((m) => (
        <Alert key={m} type="error" showIcon message={m} className="form-alert" role="alert" />
      ))}
    </>
  );
}

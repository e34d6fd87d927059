import { useEffect, useLayoutEffect, useRef } from 'react';
import { Modal as AntModal, type ModalProps } from 'antd';

/** A field a keyboard user would type or choose in first: inputs (a select's search box too) and text areas. */
const FIELD = 'input:not([type="hidden"]):not([type="file"]):not([disabled]), textarea:not([disabled])';

/** The element with the focus, if any (not <body>). */
function focusedElement(): HTMLElement | null {
  const active = document.activeElement;
  return active instanceof HTMLElement && active !== document.body ? active : null;
}

/**
 * antd's Modal as every dialog of the console opens it (WAI-ARIA dialog pattern, sweep 22c F5): on open the focus goes
 * to the first field, and on close back to the button that opened it.
 *
 * antd returns the focus itself only once a dialog's closing animation ends; the console's dialogs are mounted while
 * open (`{deciding && <DecideModal …/>}`) and so removed at once — the focus fell to <body> and a keyboard user started
 * again from the top of the page. The opener is remembered here, when the dialog opens, and focused again when the
 * dialog is removed (a dialog that stays mounted and closes is left to antd). A date picker as the first field is not
 * focused: it opens its calendar over the form on focus.
 */
export function Modal({ open, afterOpenChange, children, ...rest }: ModalProps) {
  const body = useRef<HTMLDivElement>(null);
  const opener = useRef<HTMLElement | null>(null);
  const isOpen = useRef(open);
  isOpen.current = open;

  const focusFirstField = () => {
    const active = document.activeElement;
    // The user is already in the dialog's form or at its buttons (typing, or tabbed on): left there.
    if (active?.closest('.ant-modal-body, .ant-modal-footer, .ant-modal-close')) return;
    const field = body.current?.querySelector<HTMLElement>(FIELD);
    if (field && !field.closest('.ant-picker')) field.focus({ preventScroll: true });
  };

  // Before antd moves the focus into the dialog (once it has zoomed in): the element that opened it.
  useLayoutEffect(() => {
    if (open) opener.current = focusedElement();
  }, [open]);
  useEffect(() => {
    if (!open) return;
    // Shown as another dialog went (报废's 加载中 dialog replaced by its form): that one gives the focus back only now.
    opener.current ??= focusedElement();
    focusFirstField();
  }, [open]);
  useEffect(
    () => () => {
      // Removed while open: the focus, lost with the dialog's elements, goes back to the opener if it is still there.
      const active = document.activeElement;
      if (!isOpen.current || !opener.current?.isConnected || (active && active !== document.body && active.isConnected)) return;
      opener.current.focus({ preventScroll: true });
    },
    [],
  );

  return (
    <AntModal
      open={open}
      afterOpenChange={(opened) => {
        // Fields that came after the first paint (a form shown once its data arrived).
        if (opened) focusFirstField();
        afterOpenChange?.(opened);
      }}
      {...rest}
    >
      <div ref={body}>{children}</div>
    </AntModal>
  );
}

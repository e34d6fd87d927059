import { useCallback, useEffect } from 'react';
import { App } from 'antd';
import { useBlocker, useNavigate, type BlockerFunction } from 'react-router-dom';

/**
 * The console page a click on a link would open — its path, query and hash — or null when the link leaves the page
 * otherwise or not at all: another site, a new tab or window (target, a modifier key, another mouse button), a
 * download, or the page already open.
 */
export function linkDestination(
  link: { href: string; target?: string | null; download?: boolean },
  current: { href: string },
  click: { button: number; modified: boolean } = { button: 0, modified: false },
): string | null {
  if (click.button !== 0 || click.modified || link.download || (link.target && link.target !== '_self')) return null;
  const from = new URL(current.href);
  const to = new URL(link.href, from);
  if (to.origin !== from.origin) return null;
  if (to.pathname === from.pathname && to.search === from.search) return null;
  return `${to.pathname}${to.search}${to.hash}`;
}

/**
 * While `dirty` (something typed and not yet submitted), leaving the page asks first instead of dropping it without a
 * word: a reload, closing the tab or an address typed gets the browser's own question (beforeunload); a link inside
 * the console — the side menu, any <Link> — a confirmation, and the link is followed only on 离开.
 *
 * Sweep 23c F5: the browser's 后退 and 前进 ask the same question. They are no click: react-router's useBlocker catches
 * them (the console is routed by a data router for it, app/App.tsx), restores the address, and the history step is
 * taken only on 离开. The blocker is asked of those alone (POP): a link is asked about by the click, as before, and the
 * page's own navigate() after a submit, or the shell's after 退出, is not stopped.
 */
export function useLeaveGuard(dirty: boolean, message = '录入的内容尚未提交，离开本页将丢失。') {
  const { modal } = App.useApp();
  const navigate = useNavigate();
  const historyStep = useCallback<BlockerFunction>(
    ({ historyAction, currentLocation, nextLocation }) => {
      if (!dirty || historyAction !== 'POP') return false;
      // A step that changes only the hash stays on the page.
      return currentLocation.pathname !== nextLocation.pathname || currentLocation.search !== nextLocation.search;
    },
    [dirty],
  );
  const blocker = useBlocker(historyStep);
  useEffect(() => {
    if (blocker.state !== 'blocked') return;
    void modal.confirm({
      title: '离开本页？',
      content: message,
      okText: '离开',
      okButtonProps: { danger: true },
      cancelText: '留在本页',
      onOk: () => blocker.proceed(),
      onCancel: () => blocker.reset(),
    });
    // One question per blocked step: the router gives a new blocker object at each.
  }, [blocker, message, modal]);
  useEffect(() => {
    if (!dirty) return;
    const beforeUnload = (e: BeforeUnloadEvent) => {
      e.preventDefault();
      // Older browsers ask only when a return value is set.
      e.returnValue = '';
    };
    // Capture, on the document: before React (listening on its root) lets the router follow the link.
    const click = (e: MouseEvent) => {
      const link = e.target instanceof Element ? e.target.closest('a[href]') : null;
      if (!(link instanceof HTMLAnchorElement) || e.defaultPrevented) return;
      const to = linkDestination({ href: link.href, target: link.getAttribute('target'), download: link.hasAttribute('download') }, window.location, {
        button: e.button,
        modified: e.metaKey || e.ctrlKey || e.shiftKey || e.altKey,
      });
      if (to === null) return;
      e.preventDefault();
      e.stopPropagation();
      void modal.confirm({
        title: '离开本页？',
        content: message,
        okText: '离开',
        okButtonProps: { danger: true },
        cancelText: '留在本页',
        onOk: () => navigate(to),
      });
    };
    window.addEventListener('beforeunload', beforeUnload);
    document.addEventListener('click', click, true);
    return () => {
      window.removeEventListener('beforeunload', beforeUnload);
      document.removeEventListener('click', click, true);
    };
  }, [dirty, message, modal, navigate]);
}

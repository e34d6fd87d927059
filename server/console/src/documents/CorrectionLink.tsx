import { Typography } from 'antd';
import { Link } from 'react-router-dom';

interface Ref {
  id: string;
  number: string;
  type?: string;
}

/**
 * D22 (sweep 24c F5, F2): what a correction undoes, or what undid a document, said in a list row as on the document
 * page and the print — 「冲销 RK-…」 / 「已被 CX-… 冲销」, 「撤销调拨 DB-…」 / 「已被 DC-… 撤销」 — each a link to the other
 * document. A rejected 冲销单 names what it tried to reverse (「未冲销」) — one its requester withdrew says 已撤回 (sweep 24c
 * F9 follow-up: Approval.withdrawn, where the list reads it).
 */
export function CorrectionLink({
  doc,
}: {
  doc: { type: string; status: string; reverses?: Ref | null; reversedBy?: Ref | null; approval?: { withdrawn?: boolean } | null };
}) {
  const link = (r: Ref) => <Link to={`/documents/${r.id}`}>{r.number}</Link>;
  const text = (() => {
    if (doc.reverses) {
      if (doc.type === 'TRANSFER_CANCEL') return <>撤销调拨 {link(doc.reverses)}</>;
      return (
        <>
          冲销 {link(doc.reverses)}
          {doc.status === 'REJECTED' && (doc.approval?.withdrawn ? '（已撤回，未冲销）' : '（已驳回，未冲销）')}
        </>
      );
    }
    if (doc.reversedBy) {
      return doc.reversedBy.type === 'TRANSFER_CANCEL' ? <>已被 {link(doc.reversedBy)} 撤销</> : <>已被 {link(doc.reversedBy)} 冲销</>;
    }
    return null;
  })();
  return (
    text && (
      <Typography.Text type="secondary" className="document-correction-link">
        {text}
      </Typography.Text>
    )
  );
}

import { channel } from 'node:diagnostics_channel';

// What the domain tells whoever listens (the metrics at the edge), without knowing who that is: Node's
// diagnostics channels cost nothing while nobody subscribes, and keep the domain free of any metrics library.

export interface DocumentPosted {
  /** The document type (RECEIPT, ISSUE, TRANSFER_OUT …). */
  type: string;
  lines: number;
}

export interface PlannerSolved {
  seconds: number;
  items: number;
  destinations: number;
}

const documentPostedChannel = channel('emergency-reserves:document-posted');
const plannerSolvedChannel = channel('emergency-reserves:planner-solved');

export const publishDocumentPosted = (event: DocumentPosted) => documentPostedChannel.publish(event);
export const publishPlannerSolved = (event: PlannerSolved) => plannerSolvedChannel.publish(event);

export function onDocumentPosted(listener: (event: DocumentPosted) => void) {
  documentPostedChannel.subscribe((message) => listener(message as DocumentPosted));
}

export function onPlannerSolved(listener: (event: PlannerSolved) => void) {
  plannerSolvedChannel.subscribe((message) => listener(message as PlannerSolved));
}

import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';

// OPS-2: with several API processes (workers.ts) a scrape of /metrics reaches one of them, and each knew only its own
// counts — two scrapes in a row could go down. A worker of our primary asks the primary instead, which gathers every
// worker's registry through prom-client's AggregatorRegistry (counters and histograms summed; each default metric
// as prom-client aggregates it) and answers with the whole: the server's metrics, whichever process is asked.

/** Set by our primary for its workers: the metrics of all are asked of it. */
export const CLUSTER_METRICS_ENV = 'RESERVES_CLUSTER_METRICS';
const ASK = 'reserves:metrics-ask';
const ANSWER = 'reserves:metrics-answer';
/** prom-client gives up on a worker after 5 s; the worker waits a little longer for the primary's answer. */
const ASK_TIMEOUT_MS = 8_000;

interface Message {
  type: string;
  id: number;
  text?: string;
  error?: string;
}

const isMessage = (m: unknown, type: string): m is Message => typeof m === 'object' && m !== null && (m as Message).type === type;

/** In the primary, before it starts the workers: answers a worker's scrape with every worker's metrics. */
export function answerClusterMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker: Worker, message: unknown) => {
    if (!isMessage(message, ASK)) return;
    const reply = (answer: Omit<Message, 'type' | 'id'>) => {
      if (worker.isConnected()) worker.send({ type: ANSWER, id: message.id, ...answer });
    };
    aggregator.clusterMetrics().then(
      (text) => reply({ text }),
      (error: unknown) => reply({ error: String(error) }),
    );
  });
}

const ofOurPrimary = () => cluster.isWorker && process.env[CLUSTER_METRICS_ENV] === '1';

/** In a worker of our primary: lets the primary read this process's registry (prom-client answers its requests). */
export function shareWithPrimary(registry: Registry): void {
  if (!ofOurPrimary()) return;
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries([registry]);
}

let nextId = 0;
const pending = new Map<number, { resolve: (text: string) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }>();
let listening = false;

/** The metrics as Prometheus text: this process's, or, in a worker of our primary, those of every worker together. */
export function scrape(registry: Registry): Promise<string> {
  if (!ofOurPrimary()) return registry.metrics();
  if (!listening) {
    listening = true;
    process.on('message', (message: unknown) => {
      if (!isMessage(message, ANSWER)) return;
      const asked = pending.get(message.id);
      if (!asked) return;
      pending.delete(message.id);
      clearTimeout(asked.timer);
      if (message.error !== undefined) asked.reject(new Error(message.error));
      else asked.resolve(message.text ?? '');
    });
  }
  const id = nextId++;
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      pending.delete(id);
      reject(new Error('the primary process did not answer'));
    }, ASK_TIMEOUT_MS);
    pending.set(id, { resolve, reject, timer });
    process.send!({ type: ASK, id });
  });
}

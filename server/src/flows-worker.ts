// Worker thread entry: reads one flow file into its own aggregation and posts the aggregation back
// (flow-files.ts readFlowFilesParallel). Bundled to dist/flows-worker.js.
import { parentPort, workerData } from 'node:worker_threads';
import { FlowAggregator } from './core/flows/index';
import { readFlowFile } from './flow-files';

const { file } = workerData as { file: string };
const agg = new FlowAggregator();
readFlowFile(file, agg).then(
  () => parentPort!.postMessage({ ok: true, state: agg.toState() }),
  (e: unknown) => parentPort!.postMessage({ ok: false, error: e instanceof Error ? e.message : String(e), code: (e as NodeJS.ErrnoException).code }),
);

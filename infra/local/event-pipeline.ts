/**
 * The change-event pipeline on one machine, running the same functions as AWS:
 *  - the table's stream, read from DynamoDB Local's Streams API, filtered with the event source's
 *    own filter (CHANGE_STREAM_FILTER) and handed in batches to the events function, with its
 *    batchItemFailures retried from the failed record on, as Lambda does;
 *  - a stand-in for the AWS endpoints the functions call (the same SDK clients, pointed here by
 *    LOCAL_AWS_ENDPOINT): EventBridge PutEvents appends to `events.jsonl` in the local folder and
 *    keeps the events in memory; SQS SendMessageBatch and ChangeMessageVisibility go to an
 *    in-process FIFO queue that behaves as SQS FIFO does where it matters here: in order per
 *    message group, a group held while one of its messages is in flight, deduplication by id for
 *    5 minutes, visibility timeouts the function changes, a receive count, and a dead-letter list
 *    after maxReceiveCount receives. It runs the webhook-sender function on batches of 10.
 * `timeScale` shrinks every queue delay (tests: a 30 s backoff in 30 ms).
 */
import { createHash, randomUUID } from 'node:crypto';
import { appendFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { passesChangeFilter } from '../../shared/store/change-stream';
import { MAX_DELIVERY_ATTEMPTS } from '../../shared/scim/events/webhook-rules';
import { FUNCTIONS } from '../functions';

export type StreamHandler = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse>;
export type QueueHandler = (event: SQSEvent) => Promise<SQSBatchResponse>;

export interface LocalEventPipelineOptions {
  dynamoEndpoint: string;
  tableName: string;
  localDir: string;
  events: StreamHandler;
  sender: QueueHandler;
  /** Multiplies every queue delay (1: as in AWS). */
  timeScale?: number;
  /** How often an idle stream is polled, ms. */
  pollMs?: number;
}

export interface LocalEventPipeline {
  /** The endpoint the functions' SQS and EventBridge clients use (LOCAL_AWS_ENDPOINT). */
  endpoint: string;
  /** What was put on the event bus, oldest first. */
  busEvents(): { source: string; detailType: string; detail: unknown }[];
  /** Deliveries that failed every attempt (the dead-letter queue). */
  deadLetters(): unknown[];
  /** The AWS API calls the functions made to the stand-ins, by operation (PutEvents, SendMessageBatch, …). */
  awsCalls(): Record<string, number>;
  /** Makes the bus refuse its next `entries` entries (InternalFailure), as EventBridge may: for tests of a failure part-way. */
  failBus(entries: number): void;
  /** Resolves when the stream is read up to now and the queue holds nothing deliverable. */
  drained(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

interface QueuedMessage {
  id: string;
  body: string;
  group: string;
  receiveCount: number;
  visibleAt: number;
  receipt?: string;
  sentAt: number;
}

const DEDUP_WINDOW_MS = 5 * 60 * 1000;
const BATCH = 10;

/** The SQS FIFO queue stand-in (see the module comment). */
class LocalFifoQueue {
  private messages: QueuedMessage[] = [];
  private readonly dedup = new Map<string, number>();
  readonly dead: QueuedMessage[] = [];
  private inFlight = 0;

  constructor(
    private readonly handler: QueueHandler,
    private readonly scale: number,
    private readonly visibilityMs: number,
    private readonly maxReceives: number,
  ) {}

  send(entries: { Id: string; MessageBody: string; MessageGroupId: string; MessageDeduplicationId: string }[]): void {
    const now = Date.now();
    for (const [k, at] of this.dedup) if (now - at > DEDUP_WINDOW_MS) this.dedup.delete(k);
    for (const e of entries) {
      if (this.dedup.has(e.MessageDeduplicationId)) continue; // accepted, not queued again
      this.dedup.set(e.MessageDeduplicationId, now);
      this.messages.push({ id: randomUUID(), body: e.MessageBody, group: e.MessageGroupId, receiveCount: 0, visibleAt: 0, sentAt: now });
    }
  }

  changeVisibility(receipt: string, seconds: number): void {
    const m = this.messages.find((x) => x.receipt === receipt);
    if (m) m.visibleAt = Date.now() + seconds * 1000 * this.scale;
  }

  /** Whether anything is deliverable now or in flight. */
  busy(): boolean {
    const now = Date.now();
    return this.inFlight > 0 || this.messages.some((m) => m.visibleAt <= now);
  }

  /** A batch: per group its messages in order, a group skipped while one of its messages is invisible (in flight or waiting). */
  private take(): QueuedMessage[] {
    const now = Date.now();
    const held = new Set(this.messages.filter((m) => m.visibleAt > now).map((m) => m.group));
    const batch: QueuedMessage[] = [];
    for (const m of [...this.messages]) {
      if (batch.length >= BATCH) break;
      if (held.has(m.group)) continue;
      if (m.receiveCount >= this.maxReceives) {
        // SQS moves it to the dead-letter queue instead of a further receive.
        this.messages = this.messages.filter((x) => x !== m);
        this.dead.push(m);
        continue;
      }
      batch.push(m);
    }
    for (const m of batch) {
      m.receiveCount++;
      m.receipt = randomUUID();
      m.visibleAt = now + this.visibilityMs * this.scale;
    }
    return batch;
  }

  async pump(): Promise<void> {
    if (this.inFlight >= 4) return;
    const batch = this.take();
    if (batch.length === 0) return;
    this.inFlight++;
    try {
      const event: SQSEvent = {
        Records: batch.map((m) => ({
          messageId: m.id,
          receiptHandle: m.receipt ?? '',
          body: m.body,
          attributes: {
            ApproximateReceiveCount: String(m.receiveCount),
            SentTimestamp: String(m.sentAt),
            SenderId: 'local',
            ApproximateFirstReceiveTimestamp: String(Date.now()),
            MessageGroupId: m.group,
          },
          messageAttributes: {},
          md5OfBody: createHash('md5').update(m.body).digest('hex'),
          eventSource: 'aws:sqs',
          eventSourceARN: 'arn:aws:sqs:local:000000000000:deliveries.fifo',
          awsRegion: 'local',
        })),
      };
      let failed: Set<string>;
      try {
        failed = new Set((await this.handler(event)).batchItemFailures.map((f) => f.itemIdentifier));
      } catch {
        failed = new Set(batch.map((m) => m.id)); // the whole batch comes back after its visibility timeout
      }
      const done = new Set(batch.filter((m) => !failed.has(m.id)));
      this.messages = this.messages.filter((m) => !done.has(m));
    } finally {
      this.inFlight--;
    }
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startLocalEventPipeline(options: LocalEventPipelineOptions): Promise<LocalEventPipeline> {
  const scale = options.timeScale ?? 1;
  const pollMs = options.pollMs ?? 50;
  const bus: { source: string; detailType: string; detail: unknown }[] = [];
  const busFile = join(options.localDir, 'events.jsonl');
  const queue = new LocalFifoQueue(options.sender, scale, 6 * FUNCTIONS.webhookSender.timeoutSeconds * 1000, MAX_DELIVERY_ATTEMPTS);

  const calls: Record<string, number> = {};
  let refuse = 0;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const operation = target.slice(target.indexOf('.') + 1);
      calls[operation] = (calls[operation] ?? 0) + 1;
      const input = JSON.parse((await readBody(req)) || '{}') as Record<string, unknown>;
      const reply = (body: unknown, type: string): void => {
        res.writeHead(200, { 'content-type': type });
        res.end(JSON.stringify(body));
      };
      if (target === 'AWSEvents.PutEvents') {
        const entries = (input.Entries ?? []) as { Source: string; DetailType: string; Detail: string }[];
        const refused = entries.map(() => refuse > 0 && refuse-- > 0);
        const lines = entries
          .filter((_, i) => !refused[i])
          .map((e) => ({ source: e.Source, detailType: e.DetailType, detail: JSON.parse(e.Detail) as unknown }));
        bus.push(...lines);
        await appendFile(busFile, lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
        return reply(
          {
            FailedEntryCount: refused.filter(Boolean).length,
            Entries: refused.map((r) =>
              r ? { ErrorCode: 'InternalFailure', ErrorMessage: 'refused (local test)' } : { EventId: randomUUID() },
            ),
          },
          'application/x-amz-json-1.1',
        );
      }
      if (target === 'AmazonSQS.SendMessageBatch') {
        const entries = (input.Entries ?? []) as {
          Id: string;
          MessageBody: string;
          MessageGroupId: string;
          MessageDeduplicationId: string;
        }[];
        queue.send(entries);
        return reply(
          {
            Successful: entries.map((e) => ({
              Id: e.Id,
              MessageId: randomUUID(),
              MD5OfMessageBody: createHash('md5').update(e.MessageBody).digest('hex'),
            })),
            Failed: [],
          },
          'application/x-amz-json-1.0',
        );
      }
      if (target === 'AmazonSQS.ChangeMessageVisibility') {
        queue.changeVisibility(String(input.ReceiptHandle), Number(input.VisibilityTimeout ?? 0));
        return reply({}, 'application/x-amz-json-1.0');
      }
      res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify({ __type: 'UnknownOperationException', message: `Not served locally: ${target}` }));
    })().catch((e: unknown) => {
      res.writeHead(500);
      res.end(String(e));
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
  const address = server.address();
  const endpoint = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

  // The stream: from now on (LATEST, taken before any request is served), every shard in turn.
  const clientConfig = {
    endpoint: options.dynamoEndpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  };
  const ddb = new DynamoDBClient(clientConfig);
  const streams = new DynamoDBStreamsClient(clientConfig);
  const { Table } = await ddb.send(new DescribeTableCommand({ TableName: options.tableName }));
  ddb.destroy();
  const streamArn = Table?.LatestStreamArn;
  if (!streamArn) throw new Error(`Table ${options.tableName} has no stream`);
  const iterators = new Map<string, string | undefined>();
  const done = new Set<string>();
  const discover = async (initial: boolean): Promise<void> => {
    const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    for (const shard of StreamDescription?.Shards ?? []) {
      const id = shard.ShardId ?? '';
      if (iterators.has(id) || done.has(id)) continue;
      const open = shard.SequenceNumberRange?.EndingSequenceNumber === undefined;
      if (initial && !open) {
        done.add(id); // closed before we started: its records are older than this run
        continue;
      }
      const { ShardIterator } = await streams.send(
        new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: id, ShardIteratorType: initial ? 'LATEST' : 'TRIM_HORIZON' }),
      );
      iterators.set(id, ShardIterator);
    }
  };
  await discover(true);

  let stopped = false;
  let pending: StreamRecord[] = [];
  let retryAt = 0;
  let failures = 0;
  let streamIdle = false;
  const toLambda = (r: StreamRecord): DynamoDBStreamEvent['Records'][number] =>
    ({
      eventID: r.eventID,
      eventName: r.eventName,
      eventSource: 'aws:dynamodb',
      awsRegion: 'local',
      dynamodb: { ...r.dynamodb, ApproximateCreationDateTime: r.dynamodb?.ApproximateCreationDateTime?.getTime() },
    }) as DynamoDBStreamEvent['Records'][number];

  const readStream = async (): Promise<void> => {
    let read = 0;
    for (const [shard, iterator] of [...iterators]) {
      if (!iterator) continue;
      const out = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
      read += out.Records?.length ?? 0;
      pending.push(...(out.Records ?? []).filter((r) => passesChangeFilter(r)));
      if (out.NextShardIterator) iterators.set(shard, out.NextShardIterator);
      else {
        iterators.delete(shard);
        done.add(shard);
        await discover(false);
      }
    }
    streamIdle = read === 0;
  };

  const dispatch = async (): Promise<void> => {
    if (pending.length === 0 || Date.now() < retryAt) return;
    const batch = pending.slice(0, 100);
    let failedFrom: string | undefined;
    try {
      const res = await options.events({ Records: batch.map(toLambda) });
      failedFrom = res.batchItemFailures[0]?.itemIdentifier;
    } catch {
      failedFrom = batch[0]?.dynamodb?.SequenceNumber;
    }
    const at = failedFrom === undefined ? batch.length : batch.findIndex((r) => r.dynamodb?.SequenceNumber === failedFrom);
    pending = pending.slice(at < 0 ? 0 : at);
    if (failedFrom === undefined) failures = 0;
    else retryAt = Date.now() + Math.min(30_000, 200 * 2 ** Math.min(failures++, 8)) * Math.max(scale, 0.01);
  };

  const loop = async (): Promise<void> => {
    while (!stopped) {
      try {
        await readStream();
        await dispatch();
        await queue.pump();
      } catch (e: unknown) {
        if (!stopped) console.error('local event pipeline:', e instanceof Error ? e.message : e);
      }
      if (streamIdle && pending.length === 0 && !queue.busy()) await new Promise((r) => setTimeout(r, pollMs));
      else await new Promise((r) => setImmediate(r));
    }
  };
  const running = loop();

  return {
    endpoint,
    busEvents: () => [...bus],
    deadLetters: () => queue.dead.map((m) => JSON.parse(m.body) as unknown),
    awsCalls: () => ({ ...calls }),
    failBus: (entries) => {
      refuse = entries;
    },
    async drained(timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      let quiet = 0;
      while (Date.now() < until) {
        quiet = streamIdle && pending.length === 0 && !queue.busy() ? quiet + 1 : 0;
        if (quiet >= 3) return;
        await new Promise((r) => setTimeout(r, pollMs));
      }
      throw new Error('The local event pipeline did not drain in time');
    },
    async stop() {
      stopped = true;
      await running;
      streams.destroy();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}

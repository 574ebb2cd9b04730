/**
 * Workflow histories to and from the JSON format of Temporal's tools (`temporal workflow show
 * --output json`), for the recorded histories the replay test runs (workflows/histories).
 *
 * Why not `historyToJSON`/`historyFromJSON` of `@temporalio/common/lib/proto-utils`: with npm's layout
 * they throw "type must be a Type". `@grpc/proto-loader` pins protobufjs 7 at the top of node_modules,
 * so `@temporalio/common` and `@temporalio/proto` each get their own nested copy of protobufjs 8, and
 * common's protojson rejects the message types built by proto's copy (an `instanceof` across copies).
 * Here protojson is loaded from the very copy `@temporalio/proto` uses; the conversion is the SDK's.
 */
import { createRequire } from 'node:module';
import type { History } from '@temporalio/common/lib/proto-utils.js';

const require = createRequire(import.meta.url);
const protoPackage = require.resolve('@temporalio/proto');
const proto = require(protoPackage) as Record<string, unknown>;
const { patchProtobufRoot } = require('@temporalio/proto/lib/patch-protobuf-root') as { patchProtobufRoot: <T>(root: T) => T };
const { toJson, fromJson } = createRequire(protoPackage)('protobufjs/ext/protojson') as {
  toJson: (type: unknown, message: unknown) => unknown;
  fromJson: (type: unknown, json: unknown, options?: { ignoreUnknownFields?: boolean }) => unknown;
};

interface HistoryType { fromObject: (o: unknown) => unknown }
const root = patchProtobufRoot(proto) as unknown as { lookupType(name: string): unknown };
const historyType = root.lookupType('temporal.api.history.v1.History');
const HistoryMessage = (proto as { temporal: { api: { history: { v1: { History: HistoryType } } } } }).temporal.api.history.v1.History;

/** A history (e.g. from `handle.fetchHistory()`) as pretty-printed JSON. */
export function historyToJSON(history: History): string {
  return JSON.stringify(toJson(historyType, HistoryMessage.fromObject(history)), null, 2);
}

/** Parsed history JSON back to a history the replayer takes (`Worker.runReplayHistories`). */
export function historyFromJSON(json: unknown): History {
  if (typeof json !== 'object' || json === null || !Array.isArray((json as { events?: unknown }).events)) {
    throw new TypeError('not a workflow history: expected an object with an array of events');
  }
  const history = fromJson(historyType, json, { ignoreUnknownFields: true });
  if (!history) throw new TypeError('not a workflow history');
  return history;
}

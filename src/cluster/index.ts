/**
 * weftjs/cluster: GLMs fitted across processes and machines, on NATS. Workers (`weft worker
 * --nats URL`, or startWorker) read and keep their partitions of a dataset; a client
 * (`Cluster.connect`) fits the estimators on it, one request per worker per evaluation.
 */
export { Cluster, ClusterDataset } from "./cluster.js";
export type { ClusterOptions, DatasetOptions, WorkerStatus } from "./cluster.js";
export { startWorker } from "./worker.js";
export type { ClusterWorker, WorkerOptions } from "./worker.js";
export type { NatsOptions } from "./connection.js";
export { ClusterError, ProtocolError, RemoteError } from "./errors.js";
export type { DatasetSpec, WorkerRecord } from "./protocol.js";
export type { SearchStats } from "./search.js";

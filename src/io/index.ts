/** Data in and out: CSV, NPY, Parquet and Arrow IPC readers into chunked arrays, writers, storage by URL. */
export { openSource, registerStorage, writeFileAtomic, StorageError } from "./storage.js";
export type { DataLocation, Source, StorageOptions } from "./storage.js";
export { readCsv, writeCsv, CsvError } from "./csv.js";
export type { CsvOptions, Table } from "./csv.js";
export { readNpy, readNpyValues, readNpyHeader, writeNpy, NpyError } from "./npy.js";
export type { NpyHeader } from "./npy.js";
export { readParquet, ParquetError } from "./parquet.js";
export { readArrowIpc } from "./arrow-ipc.js";
export type { ArrowIpcOptions } from "./arrow-ipc.js";
export { readTable } from "./table.js";
export type { TableOptions } from "./table.js";

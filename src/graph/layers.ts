/**
 * Layers: the units of structural sharing. A layer is immutable and knows the layers it reads
 * from, so a collection's whole graph is the set of layers reachable from its own: `y = f(x)`
 * makes one new layer pointing at x's and copies nothing. Layers can be lazy: a blockwise layer
 * is a rule (task i applies op to chunk i of each input) and makes its tasks only when asked,
 * and compile() turns a graph of lazy layers into a plan without making them at all.
 *
 * Every layer can say what it computes from its dependencies without naming them or its own
 * data (`structure`): the runtime's plan cache compares graphs by these descriptions.
 *
 * Each kind of layer has its own module: the base class (layer.ts), explicit tasks
 * (task-layer.ts), blockwise (blockwise-layer.ts) and tree reductions (tree-reduction-layer.ts)
 * with what their chunks read (chunk-inputs.ts), and data already there (input-layer.ts). Code
 * outside imports them from here.
 */
export { checkLayers, Layer, layerCount } from "./layer.js";
export { TaskLayer } from "./task-layer.js";
export { bytesOf, chunkRead, inputLayer, type BlockwiseInput, type ChunkBytes } from "./chunk-inputs.js";
export { BlockwiseLayer } from "./blockwise-layer.js";
export { TreeReductionLayer, type TreeOptions } from "./tree-reduction-layer.js";
export { InputLayer } from "./input-layer.js";

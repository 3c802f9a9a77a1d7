package io.circuitscope.detectors;

/** One query row of one probe and the key position a detector expects it to attend to. */
record RowTarget(int batch, int query, int key) {
}

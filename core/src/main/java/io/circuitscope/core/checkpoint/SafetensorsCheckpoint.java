package io.circuitscope.core.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import io.circuitscope.core.io.InputFile;
import io.circuitscope.core.io.StrictJson;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The safetensors files of a Hugging Face directory, open: {@code model.safetensors}, or the shards that
 * {@code model.safetensors.index.json} lists, each checked to hold exactly the tensors the index assigns it.
 */
final class SafetensorsCheckpoint implements AutoCloseable {
    static final String SINGLE = "model.safetensors";
    static final String INDEX = "model.safetensors.index.json";

    private final List<SafetensorsFile> files = new ArrayList<>();
    private final TensorInventory inventory;

    private SafetensorsCheckpoint(Path dir) {
        Path single = dir.resolve(SINGLE);
        Path index = dir.resolve(INDEX);
        try {
            requirePresent(dir);
            if (InputFile.isPresent(single)) {
                files.add(SafetensorsFile.open(single));
                inventory = new TensorInventory(files.get(0), single.toString());
            } else {
                inventory = openShards(dir, index);
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Checks that the directory has its weights in safetensors form, without opening them. */
    static void requirePresent(Path dir) {
        if (!InputFile.isPresent(dir.resolve(SINGLE)) && !InputFile.isPresent(dir.resolve(INDEX))) {
            throw new CheckpointException(dir + ": neither " + SINGLE + " nor " + INDEX + " found (only safetensors"
                    + " checkpoints are supported; convert pytorch_model.bin with safetensors' convert script)");
        }
    }

    static SafetensorsCheckpoint open(Path dir) {
        return new SafetensorsCheckpoint(dir);
    }

    TensorInventory inventory() {
        return inventory;
    }

    private TensorInventory openShards(Path dir, Path index) {
        JsonNode map = StrictJson.readObject(index, StrictJson.SMALL_FILE_LIMIT).get("weight_map");
        if (map == null || !map.isObject() || map.isEmpty()) {
            throw new CheckpointException(index + ": no \"weight_map\" object naming the shard of each tensor");
        }
        Map<String, java.util.Set<String>> byShard = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String shard = e.getValue().isTextual() ? e.getValue().textValue() : null;
            // A shard is a file beside the index; a path elsewhere would read files the user did not point at.
            if (shard == null || shard.isEmpty() || shard.contains("/") || shard.contains("\\")
                    || shard.equals(".") || shard.equals("..")) {
                throw new CheckpointException(index + ": weight_map entry \"" + e.getKey() + "\" must name a file in"
                        + " the same directory, got " + e.getValue());
            }
            byShard.computeIfAbsent(shard, s -> new java.util.LinkedHashSet<>()).add(e.getKey());
        }
        List<String> labels = new ArrayList<>();
        for (Map.Entry<String, java.util.Set<String>> shard : byShard.entrySet()) {
            Path file = InputFile.requireRegular(dir.resolve(shard.getKey()), index.getFileName() + " lists it");
            SafetensorsFile opened = SafetensorsFile.open(file);
            files.add(opened);
            labels.add(file.toString());
            for (String name : shard.getValue()) {
                if (!opened.names().contains(name)) {
                    throw new CheckpointException(file + ": missing tensor '" + name + "', which " + index.getFileName()
                            + " says is stored here");
                }
            }
            for (String name : opened.names()) {
                if (!shard.getValue().contains(name)) {
                    throw new CheckpointException(file + ": tensor '" + name + "' is not listed for this file in "
                            + index.getFileName() + "; the index and the shards disagree");
                }
            }
        }
        return new TensorInventory(files, labels, dir.resolve(INDEX).toString());
    }

    @Override
    public void close() {
        for (SafetensorsFile f : files) {
            f.close();
        }
    }
}

package io.circuitscope.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.circuitscope.core.checkpoint.HfGpt2Writer;
import io.circuitscope.core.checkpoint.NativeCheckpoint;
import io.circuitscope.core.checkpoint.SafetensorsFile;
import io.circuitscope.core.checkpoint.SafetensorsWriter;
import io.circuitscope.core.model.FloatTensor;
import io.circuitscope.core.model.ModelConfig;
import io.circuitscope.core.model.ModelWeights;
import io.circuitscope.core.model.RandomWeights;
import io.circuitscope.core.tokenizer.ByteLevelFixture;
import io.circuitscope.core.tokenizer.WordLevelTokenizer;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The strict-loading invariant, checked on a few hundred damaged copies of three small seed models (native with
 * vocab.txt and a model card; HF GPT-2 with vocab.json + merges.txt; HF GPT-2 with tokenizer.json): every mutant is
 * either refused with exit 1, one {@code error:} line naming the damaged file, no stack trace and no output file, or
 * it runs with output byte-identical to the undamaged model. Each mutation also declares which of the two it must be,
 * where that is certain. The mutations are drawn from a fixed seed, so every run tries the same mutants.
 */
class DamagedModelFuzzTest {
    private static final long SEED = 0x5EED_F022L;
    private static final int MUTANTS_PER_SEED = 110;
    private static final String TOKENS = "1,2,3,4,5,6";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> WORDS = List.of("<bos>", "the", "cat", "dog", "sat", "ran", "on", "mat",
            "rug", "a", "big", "small", ".", "and", "then", "slept");

    @TempDir
    static Path seeds;

    @TempDir
    Path work;

    /** What a mutation must lead to: a clean refusal, unchanged output, or whichever of the two. */
    enum Expect { REJECT, UNCHANGED, EITHER }

    /** One damaged file: which file, how, what it must lead to, and the edit itself. */
    record Mutant(String file, String description, Expect expect, Edit edit) {
    }

    @FunctionalInterface
    interface Edit {
        void apply(Path file) throws IOException;
    }

    @FunctionalInterface
    interface Operator {
        Mutant make(Path seedFile, SplittableRandom rng) throws IOException;
    }

    /** What the undamaged seed printed: its logits file and, when it has a tokenizer, predict's output. */
    record Baseline(byte[] logits, String prediction) {
    }

    @BeforeAll
    static void writeSeeds() throws IOException {
        Path nativeDir = seeds.resolve("native");
        ModelConfig nativeCfg = new ModelConfig(2, 16, 4, 4, 32, WORDS.size(), 16, "gelu_new", "LN", false,
                "standard", 1e-5, 0, "toy-words");
        NativeCheckpoint.write(nativeDir, RandomWeights.dense(nativeCfg, 17, 0.5));
        new WordLevelTokenizer(WORDS).write(nativeDir.resolve("vocab.txt"));
        ObjectNode card = JSON.createObjectNode().put("task", "fuzz seed");
        card.putObject("data_format").put("bos_token_id", 0);
        JSON.writerWithDefaultPrettyPrinter().writeValue(nativeDir.resolve("model-card.json").toFile(), card);

        ModelConfig hfCfg = new ModelConfig(2, 16, 4, 4, 64, ByteLevelFixture.VOCAB_SIZE, 16, "gelu_new", "LN", false,
                "standard", 1e-5, null, "hf-fuzz");
        ModelWeights hf = RandomWeights.dense(hfCfg, 23, 0.5);
        Path merges = Files.createDirectories(seeds.resolve("hf-vocab-merges"));
        HfGpt2Writer.write(merges, HfGpt2Writer.tie(hf), true, true);
        ByteLevelFixture.writeVocabAndMerges(merges, ByteLevelFixture.vocab(), ByteLevelFixture.MERGES);
        Path tokenizerJson = Files.createDirectories(seeds.resolve("hf-tokenizer-json"));
        HfGpt2Writer.write(tokenizerJson, HfGpt2Writer.withoutUnembedBias(hf), false, false);
        ByteLevelFixture.writeTokenizerJson(tokenizerJson, true);
    }

    @ParameterizedTest
    @ValueSource(strings = {"native", "hf-vocab-merges", "hf-tokenizer-json"})
    void everyDamagedCopyIsRefusedCleanlyOrRunsUnchanged(String seedName) throws IOException {
        Path seed = seeds.resolve(seedName);
        Baseline baseline = outputs(seed, seedName).orElseThrow(() -> new AssertionError("seed fails"));
        SplittableRandom rng = new SplittableRandom(SEED ^ seedName.hashCode());
        List<String> files;
        try (Stream<Path> listing = Files.list(seed)) {
            files = listing.map(p -> p.getFileName().toString()).sorted().toList();
        }
        List<String> failures = new ArrayList<>();
        int refused = 0;
        for (int i = 0; i < MUTANTS_PER_SEED; i++) {
            String file = files.get(rng.nextInt(files.size()));
            List<Operator> ops = OPERATORS.get(file);
            Mutant m = ops.get(rng.nextInt(ops.size())).make(seed.resolve(file), rng);
            Path dir = copy(seed, work.resolve("mutant-" + i));
            m.edit().apply(dir.resolve(m.file()));
            String label = "#" + i + " " + m.file() + ": " + m.description();
            Outcome outcome = check(dir, seedName, m, baseline, label);
            if (outcome.failure() != null) {
                failures.add(outcome.failure());
            }
            refused += outcome.refused() ? 1 : 0;
        }
        assertEquals(List.of(), failures, failures.size() + " of " + MUTANTS_PER_SEED + " mutants broke the invariant");
        assertTrue(refused > MUTANTS_PER_SEED / 2, "most mutants are damage that must be refused: " + refused);
    }

    private record Outcome(boolean refused, String failure) {
    }

    private Outcome check(Path dir, String seedName, Mutant m, Baseline baseline, String label) throws IOException {
        Path out = Files.createDirectories(dir.resolveSibling(dir.getFileName() + "-out")).resolve("logits.npy");
        CommandRun r = CliTest.run("logits", "--model", dir.toString(), "--tokens", TOKENS, "--out", out.toString());
        if (r.code() == 0) {
            if (m.expect() == Expect.REJECT) {
                return new Outcome(false, label + ": accepted, but it must be refused");
            }
            boolean same = java.util.Arrays.equals(baseline.logits(), Files.readAllBytes(out));
            if (same && baseline.prediction() != null) {
                same = baseline.prediction().equals(predict(dir, seedName).out());
            }
            return new Outcome(false, same ? null : label + ": accepted with output different from the seed's");
        }
        if (m.expect() == Expect.UNCHANGED) {
            return new Outcome(true, label + ": refused, but it cannot change the model: " + r.err().strip());
        }
        List<String> lines = r.errLines();
        boolean clean = r.code() == 1 && lines.size() == 1 && lines.get(0).startsWith("error: ")
                && !r.err().contains("Exception") && !r.err().contains("\tat ") && r.out().isEmpty();
        if (!clean) {
            return new Outcome(true, label + ": not a clean failure: " + r);
        }
        if (!lines.get(0).contains(m.file())) {
            return new Outcome(true, label + ": the message does not name " + m.file() + ": " + lines.get(0));
        }
        try (Stream<Path> left = Files.list(out.getParent())) {
            if (left.findAny().isPresent()) {
                return new Outcome(true, label + ": a refused run left a file behind");
            }
        }
        return new Outcome(true, null);
    }

    private java.util.Optional<Baseline> outputs(Path dir, String seedName) throws IOException {
        Path out = Files.createTempFile(work, seedName, ".npy");
        Files.delete(out);
        CommandRun r = CliTest.run("logits", "--model", dir.toString(), "--tokens", TOKENS, "--out", out.toString());
        if (r.code() != 0) {
            return java.util.Optional.empty();
        }
        CommandRun p = predict(dir, seedName);
        assertEquals(0, p.code(), p::toString);
        return java.util.Optional.of(new Baseline(Files.readAllBytes(out), p.out()));
    }

    private static CommandRun predict(Path dir, String seedName) {
        String text = seedName.equals("native") ? "the cat sat on the mat" : "hello hello world!";
        return CliTest.run("predict", "--model", dir.toString(), "--text", text, "--top", "5");
    }

    private static Path copy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
        return to;
    }

    // ---- mutation operators, by file ------------------------------------------------------------------------------

    private static final Map<String, List<Operator>> OPERATORS = Map.of(
            "model.safetensors", safetensorsOperators(),
            "config.json", configOperators(),
            "model-card.json", List.of(trailingGarbage(), truncate(Expect.EITHER), emptyFile(), duplicateKey(),
                    (f, rng) -> jsonEdit("model-card.json", "data_format.bos_token_id = 16 (outside the vocabulary)",
                            Expect.REJECT, root -> ((ObjectNode) root.get("data_format")).put("bos_token_id", 16))),
            "vocab.txt", vocabTxtOperators(),
            "vocab.json", List.of(hugeVocabId("vocab.json", ""), truncate(Expect.EITHER), trailingGarbage(),
                    (f, rng) -> jsonEdit("vocab.json", "a merged token removed", Expect.REJECT,
                            root -> ((ObjectNode) root).remove("hell"))),
            "merges.txt", mergesTxtOperators(),
            "tokenizer.json", tokenizerJsonOperators());

    private static List<Operator> safetensorsOperators() {
        return List.of(
                (f, rng) -> {
                    long size = Files.size(f);
                    int keep = rng.nextInt((int) size);
                    return new Mutant("model.safetensors", "truncated to " + keep + " of " + size + " bytes",
                            Expect.REJECT,
                            file -> Files.write(file, java.util.Arrays.copyOf(Files.readAllBytes(file), keep)));
                },
                (f, rng) -> {
                    long dataStart = 8 + headerLength(f);
                    int at = (int) (dataStart + rng.nextLong(Files.size(f) - dataStart));
                    int n = 1 + rng.nextInt(8);
                    return new Mutant("model.safetensors", n + " bytes inserted at " + at, Expect.REJECT,
                            file -> splice(file, at, 0, randomBytes(n, at)));
                },
                (f, rng) -> {
                    long dataStart = 8 + headerLength(f);
                    int n = 1 + rng.nextInt(8);
                    int at = (int) (dataStart + rng.nextLong(Files.size(f) - dataStart - n));
                    return new Mutant("model.safetensors", n + " bytes deleted at " + at, Expect.REJECT,
                            file -> splice(file, at, n, new byte[0]));
                },
                (f, rng) -> {
                    int n = 1 + rng.nextInt(8);
                    return new Mutant("model.safetensors", n + " bytes appended", Expect.REJECT,
                            file -> splice(file, (int) Files.size(file), 0, randomBytes(n, n)));
                },
                (f, rng) -> {
                    int delta = rng.nextBoolean() ? -1 - rng.nextInt(8) : 1 + rng.nextInt(8);
                    return new Mutant("model.safetensors", "header length prefix changed by " + delta, Expect.REJECT,
                            file -> {
                                byte[] bytes = Files.readAllBytes(file);
                                ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
                                b.putLong(0, b.getLong(0) + delta);
                                Files.write(file, bytes);
                            });
                },
                (f, rng) -> {
                    int at = 8 + rng.nextInt((int) headerLength(f));
                    byte value = (byte) rng.nextInt(256);
                    return new Mutant("model.safetensors", String.format("header byte %d set to 0x%02x", at, value),
                            Expect.EITHER, file -> {
                                byte[] bytes = Files.readAllBytes(file);
                                bytes[at] = value;
                                Files.write(file, bytes);
                            });
                },
                (f, rng) -> rewriteTensors(f, rng, "a tensor the config does not use added", (tensors, pick) ->
                        tensors.put(pick + ".copy", tensors.get(pick))),
                (f, rng) -> rewriteTensors(f, rng, "a tensor removed", Map::remove),
                (f, rng) -> {
                    float bad = rng.nextBoolean() ? Float.NaN : Float.NEGATIVE_INFINITY;
                    return rewriteTensors(f, rng, "one weight set to " + bad, (tensors, pick) -> {
                        FloatTensor t = tensors.get(pick);
                        float[] data = t.data().clone();
                        data[data.length / 2] = bad;
                        tensors.put(pick, new FloatTensor(data, t.shape()));
                    });
                });
    }

    private static List<Operator> configOperators() {
        return List.of(
                (f, rng) -> {
                    String key = randomKey(f, rng);
                    return jsonEdit("config.json", "field " + key + " deleted", Expect.EITHER,
                            root -> ((ObjectNode) root).remove(key));
                },
                (f, rng) -> {
                    String key = randomKey(f, rng);
                    JsonNode value = JSON.readTree(f.toFile()).get(key);
                    JsonNode wrong = wrongType(value, rng);
                    return jsonEdit("config.json", key + " = " + wrong + " instead of " + value, Expect.REJECT,
                            root -> ((ObjectNode) root).set(key, wrong));
                },
                (f, rng) -> {
                    List<String> ints = keys(f, JsonNode::isInt);
                    String key = ints.get(rng.nextInt(ints.size()));
                    JsonNode value = JSON.readTree(f.toFile()).get(key);
                    BigInteger wrapped = BigInteger.valueOf(value.intValue()).add(BigInteger.ONE.shiftLeft(
                            rng.nextBoolean() ? 32 : 64));
                    return jsonEdit("config.json", key + " = " + wrapped + ", which wraps to " + value, Expect.REJECT,
                            root -> ((ObjectNode) root).set(key, JSON.getNodeFactory().numberNode(wrapped)));
                },
                duplicateKey(),
                trailingGarbage(),
                truncate(Expect.EITHER),
                (f, rng) -> jsonEdit("config.json", "a field no reader knows added", Expect.UNCHANGED,
                        root -> ((ObjectNode) root).put("circuitscope_fuzz_note", "harmless")),
                (f, rng) -> new Mutant("config.json", "keys reversed and reformatted", Expect.UNCHANGED, file -> {
                    ObjectNode root = (ObjectNode) JSON.readTree(file.toFile());
                    List<String> names = new ArrayList<>();
                    root.fieldNames().forEachRemaining(names::add);
                    ObjectNode reversed = JSON.createObjectNode();
                    for (int i = names.size() - 1; i >= 0; i--) {
                        reversed.set(names.get(i), root.get(names.get(i)));
                    }
                    Files.writeString(file, JSON.writeValueAsString(reversed) + "\n");
                }),
                (f, rng) -> {
                    String key = JSON.readTree(f.toFile()).has("n_layers") ? "n_layers" : "n_layer";
                    return jsonEdit("config.json", key + " lowered by one", Expect.REJECT,
                            root -> ((ObjectNode) root).put(key, root.get(key).intValue() - 1));
                },
                (f, rng) -> {
                    JsonNode cfg = JSON.readTree(f.toFile());
                    String vocabKey = cfg.has("d_vocab") ? "d_vocab" : "vocab_size";
                    int bos = rng.nextBoolean() ? cfg.get(vocabKey).intValue() : -1;
                    return jsonEdit("config.json", "bos_token_id = " + bos, Expect.REJECT,
                            root -> ((ObjectNode) root).put("bos_token_id", bos));
                },
                (f, rng) -> {
                    JsonNode cfg = JSON.readTree(f.toFile());
                    if (cfg.has("normalization_type")) {
                        int choice = rng.nextInt(3);
                        Expect expect = choice == 0 ? Expect.UNCHANGED : Expect.REJECT;
                        String what = new String[] {"deleted (TransformerLens default LN)", "null",
                            "\"LNPre\""}[choice];
                        return jsonEdit("config.json", "normalization_type " + what, expect, root -> {
                            ObjectNode o = (ObjectNode) root;
                            switch (choice) {
                                case 0 -> o.remove("normalization_type");
                                case 1 -> o.putNull("normalization_type");
                                default -> o.put("normalization_type", "LNPre");
                            }
                        });
                    }
                    boolean tied = cfg.path("tie_word_embeddings").asBoolean(true);
                    return jsonEdit("config.json", "tie_word_embeddings flipped to " + !tied, Expect.REJECT,
                            root -> ((ObjectNode) root).put("tie_word_embeddings", !tied));
                },
                (f, rng) -> new Mutant("config.json", "an invalid UTF-8 byte in a key", Expect.REJECT,
                        file -> {
                            byte[] bytes = Files.readAllBytes(file);
                            int quote = new String(bytes, StandardCharsets.ISO_8859_1).indexOf('"');
                            splice(file, quote + 1, 0, new byte[] {(byte) 0xC3, (byte) 0x28});
                        }));
    }

    private static List<Operator> vocabTxtOperators() {
        return List.of(
                truncate(Expect.REJECT),
                (f, rng) -> new Mutant("vocab.txt", "a token appended", Expect.REJECT,
                        file -> Files.writeString(file, Files.readString(file) + "zebra\n")),
                (f, rng) -> {
                    int a = rng.nextInt(WORDS.size());
                    int b = (a + 1 + rng.nextInt(WORDS.size() - 1)) % WORDS.size();
                    return new Mutant("vocab.txt", "line " + (b + 1) + " replaced by line " + (a + 1), Expect.REJECT,
                            file -> {
                                List<String> lines = new ArrayList<>(Files.readAllLines(file));
                                lines.set(b, lines.get(a));
                                Files.writeString(file, String.join("\n", lines) + "\n");
                            });
                },
                (f, rng) -> {
                    int at = rng.nextInt((int) Files.size(f));
                    return new Mutant("vocab.txt", "byte 0xff inserted at " + at, Expect.REJECT,
                            file -> splice(file, at, 0, new byte[] {(byte) 0xff}));
                },
                (f, rng) -> new Mutant("vocab.txt", "CRLF line endings", Expect.UNCHANGED,
                        file -> Files.writeString(file, Files.readString(file).replace("\n", "\r\n"))));
    }

    private static List<Operator> mergesTxtOperators() {
        return List.of(
                truncate(Expect.EITHER),
                (f, rng) -> {
                    int line = 1 + rng.nextInt(ByteLevelFixture.MERGES.size());
                    return new Mutant("merges.txt", "merge line " + (line + 1) + " deleted", Expect.REJECT, file -> {
                        List<String> lines = new ArrayList<>(Files.readAllLines(file));
                        lines.remove(line);
                        Files.writeString(file, String.join("\n", lines) + "\n");
                    });
                },
                (f, rng) -> new Mutant("merges.txt", "every merge deleted", Expect.REJECT,
                        file -> Files.writeString(file, "#version: 0.2\n")),
                (f, rng) -> {
                    int at = 14 + rng.nextInt((int) Files.size(f) - 14);
                    return new Mutant("merges.txt", "byte 0xfe inserted at " + at, Expect.REJECT,
                            file -> splice(file, at, 0, new byte[] {(byte) 0xfe}));
                });
    }

    private static List<Operator> tokenizerJsonOperators() {
        return List.of(
                truncate(Expect.EITHER),
                trailingGarbage(),
                hugeVocabId("tokenizer.json", "model.vocab"),
                (f, rng) -> {
                    int id = rng.nextBoolean() ? Integer.MAX_VALUE - 1 : ByteLevelFixture.VOCAB_SIZE;
                    return jsonEdit("tokenizer.json", "added token id " + id, Expect.REJECT,
                            root -> ((ObjectNode) root.get("added_tokens").get(0)).put("id", id));
                },
                (f, rng) -> {
                    int drop = 1 + rng.nextInt(ByteLevelFixture.MERGES.size());
                    return jsonEdit("tokenizer.json", "last " + drop + " merges cut", Expect.REJECT, root -> {
                        ArrayNode merges = (ArrayNode) root.get("model").get("merges");
                        for (int i = 0; i < drop; i++) {
                            merges.remove(merges.size() - 1);
                        }
                    });
                },
                (f, rng) -> {
                    // Random ids (dropout), a merge the library cannot apply (prefix), words that lose their last
                    // byte (suffix) and values of the wrong type; byte_fallback and ignore_merges, which the library
                    // implements, change nothing on this vocabulary.
                    String[][] options = {{"model", "dropout", "0.1"}, {"model", "continuing_subword_prefix", "\"##\""},
                            {"model", "end_of_word_suffix", "\"</w>\""}, {"model", "byte_fallback", "true"},
                            {"model", "ignore_merges", "true"}, {"pre_tokenizer", "use_regex", "\"yes\""},
                            {"pre_tokenizer", "add_prefix_space", "1"}};
                    String[] o = options[rng.nextInt(options.length)];
                    Expect expect = o[1].equals("byte_fallback") || o[1].equals("ignore_merges")
                            ? Expect.UNCHANGED : Expect.REJECT;
                    return jsonEdit("tokenizer.json", o[0] + "." + o[1] + " = " + o[2], expect,
                            root -> ((ObjectNode) root.get(o[0])).set(o[1], JSON.readTree(o[2])));
                });
    }

    // ---- operator building blocks ---------------------------------------------------------------------------------

    private static Operator truncate(Expect expect) {
        return (f, rng) -> {
            long size = Files.size(f);
            int keep = rng.nextInt((int) size);
            String name = f.getFileName().toString();
            return new Mutant(name, "truncated to " + keep + " of " + size + " bytes", expect,
                    file -> Files.write(file, java.util.Arrays.copyOf(Files.readAllBytes(file), keep)));
        };
    }

    private static Operator emptyFile() {
        return (f, rng) -> new Mutant(f.getFileName().toString(), "emptied", Expect.REJECT,
                file -> Files.write(file, new byte[0]));
    }

    private static Operator trailingGarbage() {
        return (f, rng) -> {
            int kind = rng.nextInt(3);
            String what = new String[] {"'xyz'", "the object again", "NUL padding"}[kind];
            return new Mutant(f.getFileName().toString(), what + " after the JSON object", Expect.REJECT, file -> {
                String text = Files.readString(file);
                String tail = switch (kind) {
                    case 0 -> "xyz";
                    case 1 -> text;
                    default -> "\0\0\0\0";
                };
                Files.writeString(file, text + tail);
            });
        };
    }

    private static Operator duplicateKey() {
        return (f, rng) -> {
            String key = randomKey(f, rng);
            return new Mutant(f.getFileName().toString(), "key " + key + " given twice", Expect.REJECT, file -> {
                String text = Files.readString(file);
                JsonNode value = JSON.readTree(text).get(key);
                int brace = text.indexOf('{');
                Files.writeString(file, text.substring(0, brace + 1) + JSON.writeValueAsString(key) + ": "
                        + value + "," + text.substring(brace + 1));
            });
        };
    }

    private static Operator hugeVocabId(String file, String path) {
        return (f, rng) -> {
            long id = new long[] {Integer.MAX_VALUE - 1L, 1_000_000_000L, ByteLevelFixture.VOCAB_SIZE}[rng.nextInt(3)];
            return jsonEdit(file, "a token's id set to " + id, Expect.REJECT, root -> {
                ObjectNode vocab = (ObjectNode) (path.isEmpty() ? root : root.get("model").get("vocab"));
                vocab.put("hello", id);
            });
        };
    }

    /** A JSON edit applied to the parsed file, which is then written back compactly. */
    private static Mutant jsonEdit(String file, String description, Expect expect, JsonEdit edit) {
        return new Mutant(file, description, expect, path -> {
            JsonNode root = JSON.readTree(path.toFile());
            edit.apply(root);
            Files.writeString(path, JSON.writeValueAsString(root));
        });
    }

    @FunctionalInterface
    interface JsonEdit {
        void apply(JsonNode root) throws IOException;
    }

    @FunctionalInterface
    interface TensorEdit {
        void apply(Map<String, FloatTensor> tensors, String pick);
    }

    private static Mutant rewriteTensors(Path f, SplittableRandom rng, String description, TensorEdit edit) {
        List<String> names;
        try (SafetensorsFile st = SafetensorsFile.open(f)) {
            names = List.copyOf(st.names());
        }
        String pick = names.get(rng.nextInt(names.size()));
        // GPT-2's attention-mask buffers are ignored, as transformers ignores them, so editing one changes nothing.
        Expect expect = pick.matches("(transformer\\.)?h\\.\\d+\\.attn\\.(bias|masked_bias)") ? Expect.EITHER
                : Expect.REJECT;
        return new Mutant("model.safetensors", description + " (" + pick + ")", expect, file -> {
            Map<String, FloatTensor> tensors = new LinkedHashMap<>();
            try (SafetensorsFile st = SafetensorsFile.open(file)) {
                for (String name : st.names()) {
                    tensors.put(name, st.read(name));
                }
            }
            edit.apply(tensors, pick);
            Files.delete(file);
            SafetensorsWriter.write(file, tensors, Map.of("format", "pt"));
        });
    }

    private static JsonNode wrongType(JsonNode value, SplittableRandom rng) {
        List<JsonNode> wrong = new ArrayList<>();
        if (value.isInt()) {
            wrong.addAll(List.of(new TextNode(value.asText()), new DoubleNode(value.intValue() + 0.5),
                    BooleanNode.TRUE));
        } else if (value.isNumber()) {
            wrong.addAll(List.of(new TextNode(value.asText()), BooleanNode.FALSE));
        } else if (value.isBoolean()) {
            wrong.addAll(List.of(new IntNode(value.booleanValue() ? 1 : 0), new IntNode(-1),
                    new TextNode(value.asText())));
        } else {
            wrong.addAll(List.of(new IntNode(1), BooleanNode.TRUE, new LongNode(1L << 40)));
        }
        return wrong.get(rng.nextInt(wrong.size()));
    }

    private static String randomKey(Path f, SplittableRandom rng) throws IOException {
        List<String> all = keys(f, v -> !v.isNull());
        return all.get(rng.nextInt(all.size()));
    }

    private static List<String> keys(Path f, java.util.function.Predicate<JsonNode> filter) throws IOException {
        List<String> keys = new ArrayList<>();
        JsonNode root = JSON.readTree(f.toFile());
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (filter.test(e.getValue())) {
                keys.add(e.getKey());
            }
        }
        return keys;
    }

    private static long headerLength(Path f) throws IOException {
        try (var channel = java.nio.channels.FileChannel.open(f)) {
            ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            channel.read(b, 0);
            return b.getLong(0);
        }
    }

    private static void splice(Path file, int at, int remove, byte[] insert) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        byte[] out = new byte[bytes.length - remove + insert.length];
        System.arraycopy(bytes, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(bytes, at + remove, out, at + insert.length, bytes.length - at - remove);
        Files.write(file, out);
    }

    private static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    @org.junit.jupiter.api.Test
    void theSeedsThemselvesLoadAndPredict() throws IOException {
        for (String seed : List.of("native", "hf-vocab-merges", "hf-tokenizer-json")) {
            Baseline b = outputs(seeds.resolve(seed), seed).orElseThrow(() -> new AssertionError(seed + " fails"));
            assertTrue(b.logits().length > 128 && b.prediction().contains("rank"), seed);
            assertArrayEquals(b.logits(), outputs(seeds.resolve(seed), seed).orElseThrow().logits(),
                    "the comparison with the seed's output is only meaningful if runs are deterministic");
        }
    }
}

package io.circuitscope.core.analysis;

import io.circuitscope.core.CircuitscopeException;
import io.circuitscope.core.probe.IoiPrompt;
import io.circuitscope.core.probe.IoiPromptSet;
import io.circuitscope.core.probe.RepeatedSegment;
import io.circuitscope.core.probe.RepeatedSegmentGenerator;
import io.circuitscope.core.source.LoadedModel;
import io.circuitscope.spi.IoiProbe;
import io.circuitscope.spi.ProbeSets;
import io.circuitscope.spi.ProbeUnavailableException;
import io.circuitscope.spi.RepeatProbe;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;

/** Core's probe datasets for one model: random repeats and controls in ids, and IOI prompts in its tokenizer. */
public final class ModelProbeSets implements ProbeSets {
    private final LoadedModel model;
    private final int bos;
    private IoiPromptSet ioi;
    private String ioiProblem;

    public ModelProbeSets(LoadedModel model) {
        this.model = model;
        this.bos = model.bosTokenId().orElse(-1);
    }

    @Override
    public List<RepeatProbe> repeatedSegments(SplittableRandom random, int count, int length) {
        RepeatedSegmentGenerator g = generator(length);
        List<RepeatProbe> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            RepeatedSegment s = g.placedAnywhere(random);
            out.add(new RepeatProbe(s.tokens(), s.firstStart(), s.secondStart(), s.length()));
        }
        return out;
    }

    @Override
    public List<RepeatProbe> nonRepeating(SplittableRandom random, int count, int length) {
        RepeatedSegmentGenerator g = generator(length);
        List<RepeatProbe> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(new RepeatProbe(g.distinct(random), 0, 0, 0));
        }
        return out;
    }

    /** Draws ids from the whole vocabulary except BOS, which only ever stands at position 0. */
    private RepeatedSegmentGenerator generator(int length) {
        int vocab = model.config().dVocab();
        // The generator skips the BOS id wherever it falls among the ids it draws.
        int count = bos >= 0 ? vocab - 1 : vocab;
        int body = length - (bos >= 0 ? 1 : 0);
        if (length > model.config().nCtx()) {
            throw new ProbeUnavailableException("probes of " + length + " tokens do not fit the model's context of "
                    + model.config().nCtx());
        }
        if (body < 6) {
            throw new ProbeUnavailableException("probes of " + length + " tokens are too short to hold a repeated"
                    + " segment of 3 tokens twice");
        }
        return new RepeatedSegmentGenerator(length, bos, 0, count, 3, body / 2);
    }

    @Override
    public List<IoiProbe> ioiPrompts(SplittableRandom random, int count) {
        IoiPromptSet set = ioiPromptSet();
        // Prompts batch only when they are equally long, so draw from the templates of the most common length.
        TreeMap<Integer, List<Integer>> byLength = new TreeMap<>();
        for (int t = 0; t < set.templates().size(); t++) {
            if (set.hasThirdName(t)) {
                continue;  // a third name is neither IO nor S; these probes have none
            }
            byLength.computeIfAbsent(set.prompt(t, 0, 1, true).tokens().length, k -> new ArrayList<>()).add(t);
        }
        List<Integer> chosen = byLength.values().stream()
                .reduce((a, b) -> b.size() > a.size() ? b : a).orElseThrow();
        int n = set.names().size();
        List<IoiProbe> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int template = chosen.get(random.nextInt(chosen.size()));
            int io = random.nextInt(n);
            int s = (io + 1 + random.nextInt(n - 1)) % n;
            IoiPrompt p = set.prompt(template, io, s, i % 2 == 0);
            if (p.tokens().length > model.config().nCtx()) {
                throw new ProbeUnavailableException("IOI prompts of " + p.tokens().length
                        + " tokens do not fit the model's context of " + model.config().nCtx());
            }
            out.add(new IoiProbe(p.tokens(), p.ioPos(), p.s1Pos(), p.s2Pos(), p.endPos(), p.ioToken(), p.sToken()));
        }
        return out;
    }

    @Override
    public List<IoiProbe> ioiAbcCorruptions(List<IoiProbe> clean, SplittableRandom random) {
        IoiPromptSet set = ioiPromptSet();
        List<IoiProbe> out = new ArrayList<>(clean.size());
        for (IoiProbe p : clean) {
            IoiPrompt prompt = new IoiPrompt(p.tokens(), p.ioPos(), p.s1Pos(), p.s2Pos(), p.endPos(), p.ioToken(),
                    p.sToken(), p.ioPos() < p.s1Pos(), -1, -1);
            IoiPrompt abc;
            try {
                abc = set.abc(prompt, random);
            } catch (CircuitscopeException e) {
                throw new ProbeUnavailableException(e.getMessage());
            }
            out.add(new IoiProbe(abc.tokens(), abc.ioPos(), abc.s1Pos(), abc.s2Pos(), abc.endPos(), abc.ioToken(),
                    abc.sToken()));
        }
        return out;
    }

    private IoiPromptSet ioiPromptSet() {
        if (ioi == null && ioiProblem == null) {
            try {
                ioi = IoiPromptSet.forModel(model);
            } catch (CircuitscopeException e) {
                ioiProblem = e.getMessage();
            }
        }
        if (ioi == null) {
            throw new ProbeUnavailableException(ioiProblem);
        }
        return ioi;
    }
}

/**
 * The analysis engine on DJL's PyTorch engine. Its public types are the API that detectors and circuit discovery use:
 * {@link io.circuitscope.core.engine.HookedTransformer} (runs, layer ranges, gradients, parameters),
 * {@link io.circuitscope.core.engine.HookNames}, {@link io.circuitscope.core.engine.RunOptions},
 * {@link io.circuitscope.core.engine.ActivationPatch}, {@link io.circuitscope.core.engine.ActivationCache},
 * {@link io.circuitscope.core.engine.ModelComponents}, {@link io.circuitscope.core.engine.HeadCircuits} and
 * {@link io.circuitscope.core.engine.PaddedBatch}. The package-private classes ({@code ForwardPass},
 * {@code TensorOps}) are its internals, and only {@code TensorOps} touches DJL's engine internals. Bad user input
 * (tokens, files) is reported as {@link io.circuitscope.core.CircuitscopeException}; misuse of the API (an unknown
 * hook, a patch of the wrong shape) as {@link java.lang.IllegalArgumentException}.
 */
package io.circuitscope.core.engine;

package io.circuitscope.cli;

import java.nio.file.Path;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Option converters that refuse an empty argument as a usage error, because {@code ""} would otherwise silently mean
 * the current directory.
 */
final class NonEmpty {
    private NonEmpty() {
    }

    /** A non-empty path. */
    static final class PathConverter implements ITypeConverter<Path> {
        @Override
        public Path convert(String value) {
            return Path.of(require(value));
        }
    }

    /** A non-empty string, such as a model spec. */
    static final class TextConverter implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            return require(value);
        }
    }

    private static String require(String value) {
        if (value.isBlank()) {
            throw new TypeConversionException("the value is empty");
        }
        return value;
    }
}

package io.circuitscope.core.plugin;

import io.circuitscope.spi.SpiVersion;
import java.nio.file.Path;
import org.pf4j.DefaultPluginFactory;
import org.pf4j.JarPluginManager;
import org.pf4j.Plugin;
import org.pf4j.PluginFactory;
import org.pf4j.PluginWrapper;
import org.pf4j.RuntimeMode;

/**
 * PF4J's jar plugin manager as circuitscope runs it: always in deployment mode (a {@code pf4j.mode} property left
 * over from another tool must not switch it to reading source folders), {@code Plugin-Requires} checked against
 * {@link SpiVersion#CURRENT}, and {@code Plugin-Class} optional, since a plugin that only carries extensions needs
 * none.
 */
final class HostPluginManager extends JarPluginManager {
    HostPluginManager(Path root) {
        super(root);
        setSystemVersion(SpiVersion.CURRENT);
    }

    @Override
    public RuntimeMode getRuntimeMode() {
        return RuntimeMode.DEPLOYMENT;
    }

    @Override
    protected PluginFactory createPluginFactory() {
        return new DefaultPluginFactory() {
            @Override
            public Plugin create(PluginWrapper wrapper) {
                String className = wrapper.getDescriptor().getPluginClass();
                if (className == null || className.isBlank() || className.equals(Plugin.class.getName())) {
                    return new Plugin();
                }
                return super.create(wrapper);
            }
        };
    }
}

package io.circuitscope.core.plugin;

import io.circuitscope.spi.SpiVersion;
import java.nio.file.Path;
import org.pf4j.DefaultPluginFactory;
import org.pf4j.JarPluginManager;
import org.pf4j.Plugin;
import org.pf4j.PluginFactory;
import org.pf4j.PluginStatusProvider;
import org.pf4j.PluginWrapper;
import org.pf4j.RuntimeMode;

/**
 * PF4J's jar plugin manager as circuitscope runs it: always in deployment mode (a {@code pf4j.mode} property left
 * over from another tool must not switch it to reading source folders), {@code Plugin-Requires} checked against
 * {@link SpiVersion#CURRENT}, {@code Plugin-Class} optional, since a plugin that only carries extensions needs
 * none, and no {@code enabled.txt} / {@code disabled.txt}: every jar in the folder is used, and PF4J's status files
 * would otherwise be rewritten inside the user's plugins folder when a plugin is started.
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
    protected PluginStatusProvider createPluginStatusProvider() {
        return new PluginStatusProvider() {
            @Override
            public boolean isPluginDisabled(String pluginId) {
                return false;
            }

            @Override
            public void disablePlugin(String pluginId) {
                // Nothing is recorded: removing the jar is how a plugin is turned off.
            }

            @Override
            public void enablePlugin(String pluginId) {
                // Nothing is recorded, for the same reason.
            }
        };
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
                Plugin plugin = super.create(wrapper);
                if (plugin == null) {
                    throw new IllegalStateException("Plugin-Class " + className + " is not in the jar, or is not a "
                            + "concrete org.pf4j.Plugin with a public no-argument constructor");
                }
                return plugin;
            }
        };
    }
}

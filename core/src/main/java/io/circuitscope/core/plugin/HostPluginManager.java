package io.circuitscope.core.plugin;

import io.circuitscope.spi.SpiVersion;
import java.nio.file.Path;
import org.pf4j.DefaultPluginFactory;
import org.pf4j.JarPluginManager;
import org.pf4j.Plugin;
import org.pf4j.PluginFactory;
import org.pf4j.PluginRuntimeException;
import org.pf4j.PluginState;
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

    /**
     * PF4J's unload catches only {@link Exception} around a plugin's {@code stop()}; an {@link Error} from it would
     * escape and leave the plugin's class loader open. Any failure becomes one PF4J can handle.
     */
    @Override
    protected PluginState stopPlugin(String pluginId, boolean stopDependents) {
        try {
            return super.stopPlugin(pluginId, stopDependents);
        } catch (PluginRuntimeException e) {
            throw e;
        } catch (RuntimeException | Error e) {
            throw new PluginRuntimeException(e, "plugin {} failed to stop", pluginId);
        }
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
                    throw new IllegalStateException("Plugin-Class " + className + " could not be created: it is not in "
                            + "the jar, is not a concrete org.pf4j.Plugin with a public constructor, or its constructor "
                            + "threw");
                }
                return plugin;
            }
        };
    }
}

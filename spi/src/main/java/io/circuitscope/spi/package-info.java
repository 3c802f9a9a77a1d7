/** Stable contracts that plugin authors compile against; populated by the detector and task issues. */
package io.circuitscope.spi;

package org.gradlab.engine.autograd;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The derivative rule of an op, in plain notation, readable at run time (the step-through
 * backward prints it). Keep it identical to the rule in the op's Javadoc.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface Derivative {
    String value();
}

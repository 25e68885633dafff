package org.gradlab.nn.golden;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Python constructor call as the manifests write it, e.g. {@code CosineAnnealingLR(T_max=15,
 * eta_min=0)} or {@code SequentialLR([LinearLR(start_factor=0.1,total_iters=3), ...],
 * milestones=[3])}: a name, positional and keyword arguments. Values are numbers (Double),
 * 'strings', True/False, [lists], nested calls, or a {@code lambda ...} kept as its source text
 * ({@link Lambda}). Text after the closing parenthesis is ignored.
 */
record PyCall(String name, List<Object> args, Map<String, Object> kwargs) {
    /** A Python lambda's source, e.g. {@code lambda e: min(1, (e+1)/5)}. */
    record Lambda(String source) {}

    static PyCall parse(String text) {
        Parser p = new Parser(text);
        return p.call();
    }

    double number(String key, double dflt) {
        Object v = kwargs.get(key);
        return v == null ? dflt : (Double) v;
    }

    int integer(String key, int dflt) {
        return (int) number(key, dflt);
    }

    int integer(String key) {
        if (!kwargs.containsKey(key)) {
            throw new IllegalArgumentException(name + ": argument " + key + " missing in " + this);
        }
        return integer(key, 0);
    }

    double number(String key) {
        if (!kwargs.containsKey(key)) {
            throw new IllegalArgumentException(name + ": argument " + key + " missing in " + this);
        }
        return number(key, 0);
    }

    String string(String key, String dflt) {
        Object v = kwargs.get(key);
        return v == null ? dflt : (String) v;
    }

    boolean bool(String key, boolean dflt) {
        Object v = kwargs.get(key);
        return v == null ? dflt : (Boolean) v;
    }

    private static final class Parser {
        private final String s;
        private int i;

        Parser(String s) {
            this.s = s;
        }

        PyCall call() {
            String name = identifier();
            expect('(');
            List<Object> args = new ArrayList<>();
            Map<String, Object> kwargs = new LinkedHashMap<>();
            skipSpace();
            while (peek() != ')') {
                int save = i;
                String key = Character.isJavaIdentifierStart(peek()) ? identifier() : null;
                skipSpace();
                if (key != null && peek() == '=') {
                    i++;
                    kwargs.put(key, value());
                } else {
                    i = save;
                    args.add(value());
                }
                skipSpace();
                if (peek() == ',') {
                    i++;
                    skipSpace();
                }
            }
            i++;
            return new PyCall(name, args, kwargs);
        }

        Object value() {
            skipSpace();
            char c = peek();
            if (c == '\'' || c == '"') {
                int end = s.indexOf(c, i + 1);
                String v = s.substring(i + 1, end);
                i = end + 1;
                return v;
            }
            if (c == '[') {
                i++;
                List<Object> list = new ArrayList<>();
                skipSpace();
                while (peek() != ']') {
                    list.add(value());
                    skipSpace();
                    if (peek() == ',') {
                        i++;
                        skipSpace();
                    }
                }
                i++;
                return list;
            }
            if (s.startsWith("lambda", i)) {
                int start = i;
                int depth = 0;
                while (depth > 0 || (peek() != ',' && peek() != ')')) {
                    depth += peek() == '(' ? 1 : peek() == ')' ? -1 : 0;
                    i++;
                }
                return new Lambda(s.substring(start, i).trim());
            }
            if (Character.isJavaIdentifierStart(c)) {
                int save = i;
                String id = identifier();
                if (id.equals("True") || id.equals("False")) {
                    return id.equals("True");
                }
                i = save;
                return call();
            }
            int start = i;
            while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
                i++;
            }
            if (start == i) {
                throw new IllegalArgumentException("cannot read a value at position " + start + " of: " + s);
            }
            return Double.parseDouble(s.substring(start, i));
        }

        String identifier() {
            skipSpace();
            int start = i;
            while (i < s.length() && Character.isJavaIdentifierPart(s.charAt(i))) {
                i++;
            }
            if (start == i) {
                throw new IllegalArgumentException("expected a name at position " + start + " of: " + s);
            }
            return s.substring(start, i);
        }

        void expect(char c) {
            skipSpace();
            if (peek() != c) {
                throw new IllegalArgumentException("expected '" + c + "' at position " + i + " of: " + s);
            }
            i++;
        }

        char peek() {
            if (i >= s.length()) {
                throw new IllegalArgumentException("unexpected end of: " + s);
            }
            return s.charAt(i);
        }

        void skipSpace() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }
    }
}

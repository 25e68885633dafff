package org.gradlab.challenge.study;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One value of a YAML document with the line it starts on: a mapping ({@code Map<String, YamlNode>}, in file order),
 * a sequence ({@code List<YamlNode>}), or a scalar (String, Integer, Long, Double, Boolean or null). Read with
 * Jackson's YAML parser, which keeps every token's location, so errors can name the line.
 */
public record YamlNode(Object value, int line) {

    /** Reads a whole document; duplicate keys are an error naming the line. */
    public static YamlNode read(Reader reader, String fileName) throws IOException {
        try (JsonParser p = new YAMLFactory().createParser(reader)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                throw new StudyFileException(fileName, 1, null, "the file is empty", "a YAML mapping with name, dataset, defaults");
            }
            return read(p, fileName);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            throw new StudyFileException(fileName, line, null, "not valid YAML: " + e.getOriginalMessage().split("\n")[0], null);
        }
    }

    private static YamlNode read(JsonParser p, String fileName) throws IOException {
        int line = p.currentTokenLocation().getLineNr();
        JsonToken t = p.currentToken();
        switch (t) {
            case START_OBJECT -> {
                Map<String, YamlNode> m = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String k = p.currentName();
                    int keyLine = p.currentTokenLocation().getLineNr();
                    p.nextToken();
                    if (m.containsKey(k)) {
                        throw new StudyFileException(fileName, keyLine, k, "appears twice in one mapping", null);
                    }
                    m.put(k, read(p, fileName));
                }
                return new YamlNode(Collections.unmodifiableMap(m), line);
            }
            case START_ARRAY -> {
                List<YamlNode> l = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    l.add(read(p, fileName));
                }
                return new YamlNode(Collections.unmodifiableList(l), line);
            }
            case VALUE_STRING -> {
                return new YamlNode(p.getText(), line);
            }
            case VALUE_NUMBER_INT -> {
                long v = p.getLongValue();
                Object boxed = v == (int) v ? (Object) Integer.valueOf((int) v) : (Object) Long.valueOf(v);
                return new YamlNode(boxed, line);
            }
            case VALUE_NUMBER_FLOAT -> {
                return new YamlNode(p.getDoubleValue(), line);
            }
            case VALUE_TRUE, VALUE_FALSE -> {
                return new YamlNode(t == JsonToken.VALUE_TRUE, line);
            }
            case VALUE_NULL -> {
                return new YamlNode(null, line);
            }
            default -> throw new StudyFileException(fileName, line, null, "unexpected YAML token " + t, null);
        }
    }

    public boolean isMap() {
        return value instanceof Map;
    }

    public boolean isList() {
        return value instanceof List;
    }

    public boolean isNull() {
        return value == null;
    }

    @SuppressWarnings("unchecked")
    public Map<String, YamlNode> map() {
        return (Map<String, YamlNode>) value;
    }

    @SuppressWarnings("unchecked")
    public List<YamlNode> list() {
        return (List<YamlNode>) value;
    }

    /** The YAML type in words, for errors: "a mapping", "a list", "text 'abc'", "the number 3", ... */
    public String describe() {
        if (value == null) {
            return "null";
        }
        if (isMap()) {
            return "a mapping";
        }
        if (isList()) {
            return "a list";
        }
        if (value instanceof String s) {
            return "text '" + s + "'";
        }
        if (value instanceof Boolean) {
            return "the boolean " + value;
        }
        return "the number " + value;
    }
}

package org.gradlab.challenge.study;

/** File and key of a value being read, to build one-line {@link StudyFileException}s. */
record Where(String file, String key) {

    Where at(String otherKey) {
        return new Where(file, otherKey);
    }

    StudyFileException error(YamlNode node, String problem, String allowed) {
        return new StudyFileException(file, node == null ? 0 : node.line(), key, problem, allowed);
    }

    StudyFileException error(int line, String problem, String allowed) {
        return new StudyFileException(file, line, key, problem, allowed);
    }

    StudyFileException wrongType(YamlNode node, String allowed) {
        return error(node, "wrong type: got " + node.describe(), allowed);
    }
}

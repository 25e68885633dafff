package org.gradlab.spark;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkConf;
import org.gradlab.challenge.cli.GradLab;

/**
 * The {@code spark-submit} entry: its arguments are those of {@code study run} ({@code FILE|NAME [--only ...] [--out DIR]
 * ...}); the master is the one spark-submit was given unless {@code --spark} names another.
 */
public final class SparkStudyMain {
    private SparkStudyMain() {}

    public static void main(String[] args) {
        List<String> a = new ArrayList<>(List.of("study", "run"));
        a.addAll(List.of(args));
        if (a.stream().noneMatch(s -> s.equals("--spark") || s.startsWith("--spark="))) {
            a.add("--spark");
            a.add(new SparkConf().get("spark.master", "local[*]"));
        }
        System.exit(GradLab.commandLine().execute(a.toArray(String[]::new)));
    }
}

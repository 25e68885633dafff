package org.gradlab.challenge.report;

import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.Marker;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;

/** The report charts' common look: size, fonts, background and grid, and the scatter and line series. */
final class ChartStyle {
    static final int WIDTH = 1000;
    static final int HEIGHT = 560;
    private static final Font TITLE_FONT = new Font(Font.SANS_SERIF, Font.BOLD, 16);
    private static final Font LABEL_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 10);

    private ChartStyle() {
    }

    static XYChart scatter(String title, String xTitle, String yTitle) {
        XYChart chart = new XYChart(WIDTH, HEIGHT);
        chart.setTitle(title);
        chart.setXAxisTitle(xTitle);
        chart.setYAxisTitle(yTitle);
        var s = chart.getStyler();
        base(s);
        s.setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        s.setMarkerSize(9);
        s.setXAxisDecimalPattern("0.00");
        s.setYAxisDecimalPattern("0.00");
        s.setAnnotationTextFont(LABEL_FONT);
        s.setAnnotationTextFontColor(new Color(0x33, 0x33, 0x33));
        return chart;
    }

    static void base(Styler s) {
        s.setChartBackgroundColor(Color.WHITE);
        s.setChartTitleFont(TITLE_FONT);
        if (!(s instanceof org.knowm.xchart.style.HeatMapStyler)) {
            s.setLegendPosition(Styler.LegendPosition.InsideSE);
        }
        s.setLegendBorderColor(new Color(0xdddddd));
        s.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        s.setAntiAlias(true);
        if (s instanceof AxesChartStyler a) {
            a.setPlotBackgroundColor(Color.WHITE);
            a.setPlotGridLinesColor(new Color(0xe6e6e6));
            a.setPlotBorderVisible(false);
            a.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        }
    }

    static void addScatter(XYChart chart, String name, ChartPoints pts, Color color,
                                   Marker marker) {
        if (pts.size() == 0) {
            return;
        }
        XYSeries s = chart.addSeries(name, pts.xs, pts.ys);
        s.setMarker(marker);
        s.setMarkerColor(color);
    }

    static void addLine(XYChart chart, String name, ChartPoints pts, Color color, boolean dashed) {
        if (pts.size() == 0) {
            return;
        }
        XYSeries s = chart.addSeries(name, pts.xs, pts.ys);
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        s.setLineColor(color);
        s.setMarkerColor(color);
        s.setMarker(dashed ? SeriesMarkers.DIAMOND : SeriesMarkers.CIRCLE);
        s.setLineStyle(dashed
                ? new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[]{6f, 4f}, 0f)
                : new BasicStroke(2.2f));
    }

    static void label(XYChart chart, ChartPoints pts, double dy) {
        for (int i = 0; i < pts.size(); i++) {
            chart.addAnnotation(new AnnotationText(pts.labels.get(i), pts.xs.get(i), pts.ys.get(i) + dy, false));
        }
    }
}

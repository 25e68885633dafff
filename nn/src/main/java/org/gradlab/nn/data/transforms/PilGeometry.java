package org.gradlab.nn.data.transforms;

import java.math.BigDecimal;
import java.math.RoundingMode;
import org.gradlab.nn.data.Image;

/**
 * Bit-exact ports of Pillow 9.x nearest-neighbour geometry ({@code Image.rotate},
 * {@code Image.transform(AFFINE, NEAREST)}, libImaging/Geometry.c) and torchvision 0.14's
 * inverse affine matrix.
 *
 * <p>Affine matrix {@code a = (a0..a5)} maps an OUTPUT pixel centre (x+0.5, y+0.5) to the input
 * point (a0 x + a1 y + a2, a3 x + a4 y + a5); the input pixel is floor of that; outside → fill 0.
 *
 * <p>NOTE (Pillow's rounding, reproduced exactly): when a1 == a3 == 0 Pillow takes the "scale"
 * path in double precision (truncation, negative → outside); otherwise it uses 16.16 fixed
 * point: {@code FIX(v) = floor(v*65536 + 0.5)}, the start offset is fixed once from
 * {@code a2 + a0/2 + a1/2} and the steps are accumulated as integers, the source index is
 * {@code acc >> 16}. Rotation matrices are rounded to 15 decimals as {@code Image.rotate} does.
 */
public final class PilGeometry {
    private PilGeometry() {
    }

    /** {@code Image.transform(size, AFFINE, a, NEAREST)} with output size = input size, fill 0. */
    public static Image affine(Image img, double[] a) {
        int h = img.height(), w = img.width(), c = img.channels();
        byte[] in = img.pixels();
        byte[] out = new byte[in.length];
        if (a[1] == 0 && a[3] == 0) {
            scaleAffine(in, out, h, w, c, a);
        } else if (checkFixed(a, 0, 0) && checkFixed(a, w, h) && checkFixed(a, 0, h) && checkFixed(a, w, 0)) {
            fixedAffine(in, out, h, w, c, a);
        } else {
            floatAffine(in, out, h, w, c, a);
        }
        return Image.wrap(h, w, c, out);
    }

    private static void scaleAffine(byte[] in, byte[] out, int h, int w, int c, double[] a) {
        double xo = a[2] + a[0] * 0.5;
        double yo = a[5] + a[4] * 0.5;
        int[] xin = new int[w];
        int xmin = w, xmax = 0;
        for (int x = 0; x < w; x++) {
            int xi = coord(xo);
            if (xi >= 0 && xi < w) {
                xmax = x + 1;
                if (x < xmin) {
                    xmin = x;
                }
                xin[x] = xi;
            }
            xo += a[0];
        }
        for (int y = 0; y < h; y++) {
            int yi = coord(yo);
            if (yi >= 0 && yi < h) {
                for (int x = xmin; x < xmax; x++) {
                    System.arraycopy(in, (yi * w + xin[x]) * c, out, (y * w + x) * c, c);
                }
            }
            yo += a[4];
        }
    }

    private static void fixedAffine(byte[] in, byte[] out, int h, int w, int c, double[] a) {
        int a0 = fix(a[0]), a1 = fix(a[1]), a3 = fix(a[3]), a4 = fix(a[4]);
        int a2 = fix(a[2] + a[0] * 0.5 + a[1] * 0.5);
        int a5 = fix(a[5] + a[3] * 0.5 + a[4] * 0.5);
        for (int y = 0; y < h; y++) {
            int xx = a2, yy = a5;
            for (int x = 0; x < w; x++) {
                int xi = xx >> 16;
                if (xi >= 0 && xi < w) {
                    int yi = yy >> 16;
                    if (yi >= 0 && yi < h) {
                        System.arraycopy(in, (yi * w + xi) * c, out, (y * w + x) * c, c);
                    }
                }
                xx += a0;
                yy += a3;
            }
            a2 += a1;
            a5 += a4;
        }
    }

    /** Pillow's floating-point fallback, used only when coordinates exceed the 16.16 range. */
    private static void floatAffine(byte[] in, byte[] out, int h, int w, int c, double[] a) {
        double xo = a[2] + a[1] * 0.5 + a[0] * 0.5;
        double yo = a[5] + a[4] * 0.5 + a[3] * 0.5;
        for (int y = 0; y < h; y++) {
            double xx = xo, yy = yo;
            for (int x = 0; x < w; x++) {
                int xi = coord(xx), yi = coord(yy);
                if (xi >= 0 && xi < w && yi >= 0 && yi < h) {
                    System.arraycopy(in, (yi * w + xi) * c, out, (y * w + x) * c, c);
                }
                xx += a[0];
                yy += a[3];
            }
            xo += a[1];
            yo += a[4];
        }
    }

    private static boolean checkFixed(double[] a, int x, int y) {
        return Math.abs(x * a[0] + y * a[1] + a[2]) < 32768.0 && Math.abs(x * a[3] + y * a[4] + a[5]) < 32768.0;
    }

    /** C {@code FLOOR(v*65536.0 + 0.5)}. */
    private static int fix(double v) {
        return (int) Math.floor(v * 65536.0 + 0.5);
    }

    /** C {@code COORD(v)}: negative → -1, else truncation. */
    private static int coord(double v) {
        return v < 0.0 ? -1 : (int) v;
    }

    /**
     * {@code Image.rotate(angle, NEAREST)} about the centre (w/2, h/2), counter-clockwise, same
     * size, fill 0. Angles ≡ 0/180 (and 90/270 on square images) use exact transposes as Pillow does.
     */
    public static Image rotate(Image img, double angleDeg) {
        double angle = angleDeg % 360.0;                 // Python float %: sign of the divisor
        if (angle != 0 && angle < 0) {
            angle += 360.0;
        }
        int h = img.height(), w = img.width();
        if (angle == 0) {
            return img;
        }
        if (angle == 180) {
            return RandomVerticalFlip.vflip(RandomHorizontalFlip.hflip(img));
        }
        if ((angle == 90 || angle == 270) && w == h) {
            return transpose90(img, angle == 90);
        }
        double rad = -Math.toRadians(angle);
        double cs = round15(StrictMath.cos(rad)), sn = round15(StrictMath.sin(rad)), nsn = round15(-StrictMath.sin(rad));
        double[] m = {cs, sn, 0.0, nsn, cs, 0.0};
        double cx = w / 2.0, cy = h / 2.0;
        double m2 = m[0] * -cx + m[1] * -cy + m[2];
        double m5 = m[3] * -cx + m[4] * -cy + m[5];
        m[2] = m2 + cx;
        m[5] = m5 + cy;
        return affine(img, m);
    }

    /** Python {@code round(v, 15)}: correctly rounded to 15 decimals, ties to even. */
    static double round15(double v) {
        return new BigDecimal(v).setScale(15, RoundingMode.HALF_EVEN).doubleValue();
    }

    /** PIL ROTATE_90 (counter-clockwise) / ROTATE_270 for square images. */
    private static Image transpose90(Image img, boolean ccw) {
        int n = img.height(), c = img.channels();
        byte[] in = img.pixels();
        byte[] out = new byte[in.length];
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                int oy = ccw ? n - 1 - x : x;
                int ox = ccw ? y : n - 1 - y;
                System.arraycopy(in, (y * n + x) * c, out, (oy * n + ox) * c, c);
            }
        }
        return Image.wrap(n, n, c, out);
    }

    /**
     * torchvision {@code _get_inverse_affine_matrix(center, angle, translate, scale, shear)}
     * (output → input): M^-1 = C · RSS^-1 · C^-1 · T^-1, degrees.
     */
    public static double[] inverseAffineMatrix(double cx, double cy, double angleDeg, double tx, double ty,
                                               double scale, double shearXDeg, double shearYDeg) {
        double rot = Math.toRadians(angleDeg), sx = Math.toRadians(shearXDeg), sy = Math.toRadians(shearYDeg);
        double a = Math.cos(rot - sy) / Math.cos(sy);
        double b = -Math.cos(rot - sy) * Math.tan(sx) / Math.cos(sy) - Math.sin(rot);
        double c = Math.sin(rot - sy) / Math.cos(sy);
        double d = -Math.sin(rot - sy) * Math.tan(sx) / Math.cos(sy) + Math.cos(rot);
        double[] m = {d / scale, -b / scale, 0.0, -c / scale, a / scale, 0.0};
        m[2] += m[0] * (-cx - tx) + m[1] * (-cy - ty);
        m[5] += m[3] * (-cx - tx) + m[4] * (-cy - ty);
        m[2] += cx;
        m[5] += cy;
        return m;
    }

    /** torchvision {@code F.affine} on a PIL image: centre (w/2, h/2), NEAREST, fill 0. */
    public static Image tvAffine(Image img, double angleDeg, int tx, int ty, double scale, double shearX, double shearY) {
        double[] m = inverseAffineMatrix(img.width() * 0.5, img.height() * 0.5, angleDeg, tx, ty, scale, shearX, shearY);
        return affine(img, m);
    }
}

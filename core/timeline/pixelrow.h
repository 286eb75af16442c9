#pragma once

#include <QtGlobal>
#include <algorithm>
#include <vector>

// Level of detail for one row of pixels: every interval that falls on a pixel adds its colour
// there, with difference arrays (two writes per interval whatever its length), and each covered
// pixel gets the average of the colours on it. The window's timelines write the result into an
// image, the reports turn runs of equal pixels into rectangles: one rasteriser for both, so a lane
// zoomed out reads the same in the window and on paper. Colours are 0xRRGGBB. QtCore only, tested
// headless (tst_tracemodel).
class PixelRow
{
public:
    explicit PixelRow(int width)
        : m_w(std::max(1, width))
        , m_sum(size_t(m_w + 1) * 4, 0)
    { }
    int width() const { return m_w; }

    // Adds [x0, x1) in pixels (fractions round outwards; at least one pixel).
    void add(double x0, double x1, quint32 rgb)
    {
        if (x1 < 0 || x0 >= m_w)
            return;
        // floor and ceil of the clamped (non-negative) values: a truncation and one compare each.
        x0 = std::max(x0, 0.0);
        x1 = std::min(x1, double(m_w));
        const int a = std::min(int(x0), m_w - 1);
        int ceil1 = int(x1);
        ceil1 += double(ceil1) < x1 ? 1 : 0;
        const int b = std::clamp(std::max(a + 1, ceil1), 1, m_w);
        const int r = int((rgb >> 16) & 0xff), g = int((rgb >> 8) & 0xff), bl = int(rgb & 0xff);
        int *s = m_sum.data();
        s[a * 4] += r;
        s[a * 4 + 1] += g;
        s[a * 4 + 2] += bl;
        s[a * 4 + 3] += 1;
        s[b * 4] -= r;
        s[b * 4 + 1] -= g;
        s[b * 4 + 2] -= bl;
        s[b * 4 + 3] -= 1;
        m_minX = std::min(m_minX, a);
        m_maxX = std::max(m_maxX, b);
        m_any = true;
    }
    bool any() const { return m_any; }

    // Calls f(x, rgb) for every covered pixel, left to right, then resets the row.
    template<typename F> void resolve(F &&f)
    {
        if (!m_any)
            return;
        int *s = m_sum.data();
        int r = 0, g = 0, b = 0, n = 0;
        for (int x = m_minX; x < m_maxX; ++x) {
            r += s[x * 4];
            g += s[x * 4 + 1];
            b += s[x * 4 + 2];
            n += s[x * 4 + 3];
            if (n > 0)
                f(x, quint32((r / n) << 16 | (g / n) << 8 | (b / n)));
        }
        reset();
    }
    // Calls f(x0, x1, rgb) for each run of equal covered pixels [x0, x1), then resets the row.
    template<typename F> void resolveRuns(F &&f)
    {
        int runX = -1, lastX = -1;
        quint32 runRgb = 0;
        resolve([&](int x, quint32 rgb) {
            if (runX >= 0 && (x != lastX + 1 || rgb != runRgb)) {
                f(runX, lastX + 1, runRgb);
                runX = -1;
            }
            if (runX < 0) {
                runX = x;
                runRgb = rgb;
            }
            lastX = x;
        });
        if (runX >= 0)
            f(runX, lastX + 1, runRgb);
    }

private:
    void reset()
    {
        std::fill(m_sum.begin() + m_minX * 4, m_sum.begin() + (m_maxX + 1) * 4, 0);
        m_minX = m_w;
        m_maxX = 0;
        m_any = false;
    }

    int m_w;
    std::vector<int> m_sum; // r, g, b, count per column, as differences
    int m_minX = 1 << 30;
    int m_maxX = 0;
    bool m_any = false;
};

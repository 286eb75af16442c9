#pragma once

#include <QtGlobal>
#include <algorithm>
#include <utility>
#include <vector>

// Level of detail for one row of pixels: each colour's coverage of every pixel is summed (how much
// of the pixel's width, over all intervals that fall on it), and each covered pixel shows the
// colour that covers most of it. So a zoomed-out lane or row shows the phase that really dominated
// each pixel, in its legend colour: no mixed colour that the legend does not have. An interval
// thinner than a pixel still covers its pixel a little, so it is never lost on an empty one.
// The window's timelines write the result into an image, the reports turn runs of equal pixels
// into rectangles: one rasteriser for both, so a lane zoomed out reads the same in the window and
// on paper. The precomputed level of detail (timelinelod.h) adds whole buckets of coverage at
// once (addCoverage). Colours are 0xRRGGBB. QtCore only, tested headless (tst_tracemodel).
class PixelRow
{
public:
    explicit PixelRow(int width)
        : m_w(std::max(1, width))
    { }
    int width() const { return m_w; }

    // Adds [x0, x1) in pixels: each pixel gets the part of its width that the interval covers.
    void add(double x0, double x1, quint32 rgb) { addCoverage(x0, x1, rgb, std::max(1e-3, x1 - x0)); }
    // Spreads `amount` pixel-widths of coverage evenly over [x0, x1) (clipped to the row). An
    // empty interval puts it all on the pixel at x0.
    void addCoverage(double x0, double x1, quint32 rgb, double amount)
    {
        if (x1 < 0 || x0 >= m_w || !(amount > 0))
            return;
        const double w = x1 - x0;
        const double density = w > 0 ? amount / w : 0;
        x0 = std::max(x0, 0.0);
        x1 = std::min(x1, double(m_w));
        const int a = std::min(int(x0), m_w - 1);
        const int b = std::clamp(int(x1), a, m_w - 1); // the pixel holding x1 (its last, when x1 = m_w)
        Slot &s = slotOf(rgb);
        if (density == 0 || a == b) {
            s.direct[size_t(a)] += density == 0 ? amount : float(density * (x1 - x0));
        } else {
            // The first and last pixels by their covered parts; those between, whole, by a rate.
            s.direct[size_t(a)] += float(density * (a + 1 - x0));
            s.direct[size_t(b)] += float(density * (x1 - b));
            if (b > a + 1) {
                s.rate[size_t(a + 1)] += float(density);
                s.rate[size_t(b)] -= float(density);
                s.usesRate = true;
            }
        }
        m_minX = std::min(m_minX, a);
        m_maxX = std::max(m_maxX, b + 1);
    }
    // Adds n buckets of coverage side by side, bucket k over [x0 + k w, x0 + (k + 1) w) with
    // coverage[k] * scale pixel-widths, where a bucket is no wider than a pixel (w <= 1): each
    // lands on its pixel, or is split between the two it straddles.
    void addBuckets(double x0, double w, const float *coverage, qsizetype n, quint32 rgb, double scale)
    {
        Slot &s = slotOf(rgb);
        float *direct = s.direct.data();
        int lo = m_w, hi = -1;
        for (qsizetype k = 0; k < n; ++k) {
            const double c = coverage[k] * scale;
            if (!(c > 0))
                continue;
            const double a = x0 + double(k) * w, b = a + w;
            if (b <= 0 || a >= m_w)
                continue;
            const int pa = std::max(0, int(a)), pb = std::min(m_w - 1, int(b));
            if (pa == pb || b <= pb) {
                direct[pa] += float(c);
            } else {
                const double split = (pb - a) / w; // the part on the first pixel
                direct[pa] += float(c * split);
                direct[pb] += float(c * (1 - split));
            }
            lo = std::min(lo, pa);
            hi = std::max(hi, pb);
        }
        if (hi >= lo) {
            m_minX = std::min(m_minX, lo);
            m_maxX = std::max(m_maxX, hi + 1);
        }
    }
    bool any() const { return m_maxX > m_minX; }

    // Calls f(x, rgb) for every covered pixel, left to right, with the colour that covers most of
    // it (the first added of equal ones), then resets the row.
    template<typename F> void resolve(F &&f)
    {
        if (!any())
            return;
        const int n = m_maxX - m_minX;
        m_best.assign(size_t(n), 0.f);
        m_bestRgb.assign(size_t(n), 0);
        for (size_t k = 0; k < m_used; ++k) {
            Slot &s = m_slots[k];
            const float *direct = s.direct.data() + m_minX;
            float *best = m_best.data();
            quint32 *bestRgb = m_bestRgb.data();
            if (!s.usesRate) {
                for (int x = 0; x < n; ++x) {
                    if (direct[x] > best[x]) {
                        best[x] = direct[x];
                        bestRgb[x] = s.rgb;
                    }
                }
                continue;
            }
            const float *rates = s.rate.data() + m_minX;
            float rate = 0;
            for (int x = 0; x < n; ++x) {
                rate += rates[x];
                const float c = direct[x] + rate;
                if (c > best[x]) {
                    best[x] = c;
                    bestRgb[x] = s.rgb;
                }
            }
        }
        for (int x = m_minX; x < m_maxX; ++x) {
            if (m_best[size_t(x - m_minX)] > 0)
                f(x, m_bestRgb[size_t(x - m_minX)]);
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
    struct Slot
    {
        quint32 rgb = 0;
        std::vector<float> direct; // coverage added to one pixel
        std::vector<float> rate; // coverage per pixel of whole pixels, as differences
        bool usesRate = false;
    };
    Slot &slotOf(quint32 rgb)
    {
        for (size_t k = 0; k < m_used; ++k) {
            if (m_slots[k].rgb == rgb)
                return m_slots[k];
        }
        if (m_used == m_slots.size())
            m_slots.push_back(
                { 0, std::vector<float>(size_t(m_w) + 1, 0.f), std::vector<float>(size_t(m_w) + 1, 0.f) });
        Slot &s = m_slots[m_used++];
        s.rgb = rgb;
        return s;
    }
    void reset()
    {
        for (size_t k = 0; k < m_used; ++k) {
            Slot &s = m_slots[k];
            std::fill(s.direct.begin() + m_minX, s.direct.begin() + m_maxX + 1, 0.f);
            if (std::exchange(s.usesRate, false))
                std::fill(s.rate.begin() + m_minX, s.rate.begin() + m_maxX + 1, 0.f);
        }
        m_used = 0;
        m_minX = 1 << 30;
        m_maxX = 0;
    }

    int m_w;
    std::vector<Slot> m_slots; // the first m_used are in use, in the order their colours came
    size_t m_used = 0;
    std::vector<float> m_best;
    std::vector<quint32> m_bestRgb;
    int m_minX = 1 << 30;
    int m_maxX = 0;
};

// The items pass: the model's pieces, rasterised per pixel row (core/timeline/pixelrow.h: each
// pixel shows the colour that covers most of it). Rows at least a pixel tall get a band each
// (a lane's strip and sub-rows); thinner rows share a pixel row. Finished records come from the
// model's level of detail when it is fine enough (timelinelod.h), the rest piece by piece.
#include "gui/theme.h"
#include "timeline/pixelrow.h"
#include "timeline/timelinedata.h"
#include "timeline/timelinelod.h"
#include "timeline/timelinemodel.h"
#include "timelinepasses.h"

#include <QPainter>
#include <algorithm>
#include <cmath>
#include <cstring>

namespace {

// Other traffic in a run's view: the colour, faded towards the background.
QRgb muted(QRgb c, QRgb base)
{
    const auto mix = [](int a, int b) { return (a * 35 + b * 65) / 100; };
    return qRgb(mix(qRed(c), qRed(base)), mix(qGreen(c), qGreen(base)), mix(qBlue(c), qBlue(base)));
}

// Writes a PixelRow into rows y0..y1 (plot coordinates) of `img`.
void resolveInto(PixelRow &row, QImage &img, int y0, int y1)
{
    y0 = std::max(y0, 0);
    y1 = std::min(y1, img.height());
    if (y1 <= y0) {
        row.resolve([](int, quint32) {});
        return;
    }
    auto *line0 = reinterpret_cast<QRgb *>(img.scanLine(y0));
    int minX = img.width(), maxX = -1;
    row.resolve([&](int x, quint32 rgb) {
        line0[x] = 0xff000000u | rgb;
        minX = std::min(minX, x);
        maxX = x;
    });
    for (int y = y0 + 1; y < y1 && maxX >= minX; ++y)
        std::memcpy(img.scanLine(y) + minX * 4, line0 + minX, size_t(maxX - minX + 1) * 4);
}

// The colours of one frame: by colour key (phase, muted for other traffic), or by client.
struct Palette
{
    std::array<QRgb, Theme::CategoryCount> phase, phaseMuted;
    QRgb base, blocked;
    ClientColours *clients;
    const TimelineModel *model;
    explicit Palette(const TimelineFrame &f)
        : clients(f.clients && f.clients->key() != ClientColours::Key::None ? f.clients : nullptr)
        , model(f.model)
    {
        const Theme &t = Theme::current();
        base = t.base.rgb();
        blocked = t.blockedStrip.rgb();
        for (size_t i = 0; i < phase.size(); ++i) {
            phase[i] = t.category[i].rgb();
            phaseMuted[i] = muted(phase[i], base);
        }
    }
    quint32 ofKey(quint16 key) const
    {
        const size_t c = std::min<size_t>(key & 0xff, phase.size() - 1);
        return (key & TimelineLod::OtherKey ? phaseMuted[c] : phase[c]) & 0xffffff;
    }
    quint32 of(const TimelinePiece &pc) const
    {
        if (!clients)
            return ofKey(quint16(pc.colour | (pc.other ? TimelineLod::OtherKey : 0)));
        const QRgb c = clients->colourOf(model->data()->at(pc.record));
        return (pc.other ? muted(c, base) : c) & 0xffffff;
    }
};

// Rows at least a pixel tall: each row's strip and sub-rows get a PixelRow of their own.
void drawBands(QImage &img, const TimelineFrame &f, const Palette &pal, TimelinePasses::RowsDrawn &out)
{
    const TimelineModel &m = *f.model;
    const TimelineLod *lod = f.useLod ? m.lod() : nullptr;
    const qint64 from = f.ax.startNs, to = f.ax.endNs();
    const double pxPerNs = 1.0 / f.ax.nsPerPx();
    const int top = f.area.top();
    PixelRow strip(f.area.width());
    std::vector<PixelRow> subs;
    struct Track
    {
        quint16 sub, key;
        qint64 firstNs;
        const float *cov;
        qsizetype n;
    };
    std::vector<Track> tracks;
    std::vector<TimelinePiece> pieces;
    const double bucketPx = lod ? double(lod->bucketNs()) * pxPerNs : 0;
    for (qsizetype r = out.first; r < f.endRow(); ++r) {
        const TimelineRow row = m.row(r);
        const int cap = m.maxSubRows(r, f.rows.rowPx);
        tracks.clear();
        pieces.clear();
        int used = 1;
        const auto keep = [&](const TimelinePiece &pc) {
            pieces.push_back(pc);
            used = std::max(used, std::min(int(pc.sub), cap - 1) + 1);
        };
        if (lod) {
            lod->forEachTrack(m.lodRow(r), from, to,
                              [&](quint16 sub, quint16 key, qint64 firstNs, const float *cov, qsizetype n) {
                                  tracks.push_back({ sub, key, firstNs, cov, n });
                                  if (sub != TimelineLod::StripSub)
                                      used = std::max(used, std::min(int(sub), cap - 1) + 1);
                              });
            m.forEachPieceOutsideLod(r, from, to, f.nowNs, keep);
        } else {
            used = std::clamp(row.subRows, 1, cap);
            m.forEachPiece(r, keep);
        }
        const TimelineFrame::Band b = f.band(r, used);
        while (int(subs.size()) < used)
            subs.emplace_back(f.area.width());
        double blockedNs = 0;
        for (const Track &t : tracks) {
            const double x0 = double(t.firstNs - from) * pxPerNs;
            if (t.sub == TimelineLod::StripSub) {
                strip.addBuckets(x0, bucketPx, t.cov, t.n, pal.blocked, pxPerNs);
                blockedNs = lod->coveredNs(m.lodRow(r), TimelineLod::StripSub, 0, from, to);
            } else {
                subs[size_t(std::min(int(t.sub), used - 1))].addBuckets(x0, bucketPx, t.cov, t.n,
                                                                        pal.ofKey(t.key), pxPerNs);
            }
        }
        for (const TimelinePiece &pc : pieces) {
            const double x0 = double(pc.startNs - from) * pxPerNs, x1 = double(pc.endNs - from) * pxPerNs;
            subs[size_t(std::min(int(pc.sub), used - 1))].add(x0, x1, pal.of(pc));
            if (b.strip > 0 && pc.holdsThread) {
                strip.add(x0, x1, pal.blocked);
                if (lod)
                    blockedNs
                        += double(std::max<qint64>(0, std::min(pc.endNs, to) - std::max(pc.startNs, from)));
            }
        }
        if (b.strip > 0)
            resolveInto(strip, img, int(b.top) + 1 - top, int(b.top) + 1 + b.strip - top);
        else
            strip.resolve([](int, quint32) {});
        for (int s = 0; s < used; ++s)
            resolveInto(subs[size_t(s)], img, int(b.subTop(s)) - top, int(b.subBottom(s)) - top);
        out.subRows.push_back(used);
        out.blockedShare.push_back(lod ? std::min(1.0, blockedNs / double(std::max<qint64>(1, to - from)))
                                       : row.blockedShare);
    }
}

// Rows thinner than a pixel: every row of a pixel row adds to one PixelRow. With the level of
// detail, whole blocks of rows add their buckets (a block belongs to the pixel row holding its
// middle row: less than half a pixel away), and only rows not in it yet add their pieces.
void drawMerged(QImage &img, const TimelineFrame &f, const Palette &pal)
{
    const TimelineModel &m = *f.model;
    const TimelineLod *lod = f.useLod && f.lodFits() ? m.lod() : nullptr;
    const qint64 from = f.ax.startNs, to = f.ax.endNs();
    const double pxPerNs = 1.0 / f.ax.nsPerPx();
    const qsizetype n = m.rowCount(), end = f.endRow();
    PixelRow acc(f.area.width());
    const double bucketPx = lod ? double(lod->bucketNs()) * pxPerNs : 0;
    const auto addPiece = [&](const TimelinePiece &pc) {
        acc.add(double(pc.startNs - from) * pxPerNs, double(pc.endNs - from) * pxPerNs, pal.of(pc));
    };
    // The coarsest level whose blocks still fit in a pixel row (a million rows: blocks of 1,024).
    int level = 0;
    while (lod && level + 1 < lod->levels() && lod->rowsPerBlock(level + 1) * f.rows.rowPx <= 1.0)
        ++level;
    qsizetype r = f.firstRow();
    qsizetype block = lod ? lod->blockOf(r, level) : 0;
    for (int py = 0; py < f.area.height() && r < end; ++py) {
        const double rowTo = f.rows.toRow(py + 1);
        if (lod) {
            const qsizetype per = lod->rowsPerBlock(level);
            for (; block * per < end && double(block * per) + double(per) / 2.0 < rowTo; ++block) {
                lod->forEachTrack(
                    block, from, to,
                    [&](quint16, quint16 key, qint64 firstNs, const float *cov, qsizetype count) {
                        acc.addBuckets(double(firstNs - from) * pxPerNs, bucketPx, cov, count, pal.ofKey(key),
                                       pxPerNs);
                    },
                    level);
                if (lod->incompleteRows(block, n, level) > 0) {
                    for (qsizetype k = block * per; k < std::min(n, (block + 1) * per); ++k)
                        m.forEachPieceOutsideLod(k, from, to, f.nowNs, addPiece);
                }
            }
            r = block * per;
        } else {
            for (; r < end && double(r) < rowTo; ++r)
                m.forEachPiece(r, addPiece);
        }
        resolveInto(acc, img, py, py + 1);
    }
}

} // namespace

TimelinePasses::RowsDrawn TimelinePasses::items(QPainter &p, QImage &buffer, const TimelineFrame &f)
{
    if (buffer.size() != f.area.size())
        buffer = QImage(f.area.size(), QImage::Format_RGB32);
    buffer.fill(Theme::current().base);
    RowsDrawn out;
    out.first = f.firstRow();
    const Palette pal(f);
    if (f.rows.rowPx >= 1.0)
        drawBands(buffer, f, pal, out);
    else
        drawMerged(buffer, f, pal);
    p.drawImage(f.area.topLeft(), buffer);
    return out;
}

qsizetype TimelinePasses::requestAt(const TimelineFrame &f, const RowsDrawn &drawn, QPointF pos)
{
    if (!f.area.contains(pos.toPoint()) || !f.model)
        return -1;
    const qsizetype r = qsizetype(std::floor(f.rows.toRow(pos.y() - f.area.top())));
    if (r < 0 || r >= f.model->rowCount())
        return -1;
    const qsizetype k = r - drawn.first;
    const int used = k >= 0 && k < qsizetype(drawn.subRows.size()) ? drawn.subRows[size_t(k)] : 1;
    const TimelineFrame::Band b = f.band(r, used);
    int sub = -1; // under the level of detail, sub-rows are its own: any piece of the row counts
    for (int s = 0; s < used && !f.useLod; ++s) {
        if (pos.y() >= b.subTop(s) && pos.y() < std::max(b.subBottom(s), b.subTop(s) + 1))
            sub = s;
    }
    if (!f.useLod && used > 1 && sub < 0)
        return -1;
    // The last piece drawn under the cursor, with a few pixels of slack for thin ones.
    qsizetype hit = -1;
    const double x = pos.x() - f.area.left();
    f.model->forEachPiece(r, [&](const TimelinePiece &pc) {
        if ((sub >= 0 && std::min(int(pc.sub), used - 1) != sub) || pc.record < 0)
            return;
        if (x >= f.ax.toX(pc.startNs) - 3 && x <= f.ax.toX(pc.endNs) + 3)
            hit = pc.record;
    });
    return hit;
}

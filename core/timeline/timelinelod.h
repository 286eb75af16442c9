#pragma once

#include <QtGlobal>
#include <tuple>
#include <vector>

// The precomputed level of detail of a timeline model: for each block of rows, how many
// nanoseconds each colour key covered in each time bucket, per sub-row. A view with the whole run
// in view draws a pixel row from a few thousand buckets instead of every piece of every request
// (PixelRow::addCoverage), and the pixel still shows the colour that covered most of it.
//
// Filled incrementally as records finish (a model adds each finished piece once: RequestRowModel
// a row per request in blocks of 64, ThreadLaneModel a row per lane with its pieces packed into
// sub-rows by StablePacker). The buckets start at 1 ms (2^20 ns) and double, merging pairs, as
// the run grows, so a block never holds more than `maxBuckets` buckets across the run. A view
// uses the level of detail only while a bucket is no wider than a pixel (fineEnoughFor), so no
// piece moves by more than a pixel; closer in, it draws the pieces themselves. QtCore only, tested
// headless (tst_timelinelod).
class TimelineLod
{
public:
    static constexpr quint16 StripSub = 0xffff; // the sub-row of a worker loop's "blocked" strip
    static constexpr quint16 OtherKey = 0x100; // added to a piece's colour key: other traffic

    // `levels`: level L groups rowsPerBlock * 16^L rows per block (a million request rows on a
    // few hundred pixel rows read level 1, blocks of 1,024).
    TimelineLod(int rowsPerBlock, int maxBuckets, int levels = 1);
    void clear();

    // Adds a finished piece of `row`: [startNs, endNs) coloured `key` in sub-row `sub`.
    void add(qsizetype row, quint16 sub, quint16 key, qint64 startNs, qint64 endNs);
    // Counts `row` as complete: everything it will ever show has been added.
    void complete(qsizetype row);
    // Rows of `block` not yet complete, when the model has `rowCount` rows.
    qsizetype incompleteRows(qsizetype block, qsizetype rowCount, int level = 0) const;

    int levels() const { return int(m_levels.size()); }
    int rowsPerBlock(int level = 0) const { return m_rowsPerBlock << (4 * level); }
    qsizetype blockOf(qsizetype row, int level = 0) const { return row / rowsPerBlock(level); }
    qsizetype blockCount(int level = 0) const { return qsizetype(m_levels[size_t(level)].size()); }
    qint64 bucketNs() const { return m_bucketNs; }
    bool fineEnoughFor(double nsPerPx) const { return double(m_bucketNs) <= nsPerPx; }

    // Calls f(sub, key, fromNs, toNs, coveredNs) for each bucket of `block` that overlaps
    // [fromNs, toNs] and has any coverage.
    template<typename F>
    void forEachCell(qsizetype block, qint64 fromNs, qint64 toNs, F &&f, int level = 0) const;
    // The same, a track at a time: f(sub, key, firstNs, coverage, n) with n buckets of coverage
    // from firstNs on, each bucketNs() wide.
    template<typename F>
    void forEachTrack(qsizetype block, qint64 fromNs, qint64 toNs, F &&f, int level = 0) const;
    // Covered nanoseconds of (block, sub, key) within [fromNs, toNs], the end buckets prorated,
    // each bucket counting at most its width (a worker loop's blocked share: pieces that hold
    // the loop do not overlap, and where synthetic ones do, the share stays within 100 %).
    double coveredNs(qsizetype block, quint16 sub, quint16 key, qint64 fromNs, qint64 toNs) const;

private:
    struct Track
    {
        quint16 sub = 0;
        quint16 key = 0;
        qint64 first = 0; // bucket index of cov[0]
        std::vector<float> cov; // covered ns per bucket
    };
    struct Block
    {
        std::vector<Track> tracks;
        qsizetype complete = 0;
    };
    qint64 bucketOf(qint64 ns) const;
    qint64 bucketStart(qint64 bucket) const { return m_originNs + bucket * m_bucketNs; }
    Track &trackOf(Block &b, quint16 sub, quint16 key);
    void addTo(Track &t, qint64 b0, qint64 b1, qint64 startNs, qint64 endNs);
    void coarsen();

    int m_rowsPerBlock;
    int m_maxBuckets;
    qint64 m_bucketNs = 1 << 20;
    qint64 m_originNs = 0;
    bool m_started = false;
    qint64 m_minBucket = 0, m_maxBucket = 0;
    std::vector<std::vector<Block>> m_levels; // by level, by block
};

// Packs the pieces of a lane into sub-rows in the order they are added (records finish roughly in
// start order): each piece goes to the lowest sub-row where it overlaps nothing already there, at
// most `maxSubs`; the overflow shares the last. Drawn with fewer sub-rows (c), a piece on sub-row
// s shows on min(s, c - 1), as LanePacker would put it. A piece never moves once placed, so the
// level of detail keeps its sub-rows.
class StablePacker
{
public:
    explicit StablePacker(int maxSubs = 8)
        : m_maxSubs(maxSubs)
    { }
    void clear() { m_rows.clear(); }
    // Places [s, e] on `row` and returns its sub-row.
    int place(qsizetype row, qint64 s, qint64 e);
    // The sub-row [s, e] would get on `row`, without placing it; `taken` lists pieces placed for
    // this frame only (sub-row, start, end), which it must not overlap either.
    int probe(qsizetype row, qint64 s, qint64 e,
              const std::vector<std::tuple<int, qint64, qint64>> &taken) const;
    // The sub-row the piece [s, e] was placed on (the overflow's if it is on none below it).
    int subOf(qsizetype row, qint64 s, qint64 e) const;

private:
    struct Interval
    {
        qint64 s, e;
    };
    bool freeOn(const std::vector<Interval> &sub, qint64 s, qint64 e) const;
    int m_maxSubs;
    std::vector<std::vector<std::vector<Interval>>> m_rows; // by row, by sub-row: sorted by start
};

template<typename F>
void TimelineLod::forEachCell(qsizetype block, qint64 fromNs, qint64 toNs, F &&f, int level) const
{
    const auto cells = [&](quint16 sub, quint16 key, qint64 firstNs, const float *cov, qsizetype n) {
        for (qsizetype k = 0; k < n; ++k) {
            if (cov[k] > 0)
                f(sub, key, firstNs + k * m_bucketNs, firstNs + (k + 1) * m_bucketNs, double(cov[k]));
        }
    };
    forEachTrack(block, fromNs, toNs, cells, level);
}

template<typename F>
void TimelineLod::forEachTrack(qsizetype block, qint64 fromNs, qint64 toNs, F &&f, int level) const
{
    if (block < 0 || block >= blockCount(level) || !m_started)
        return;
    const qint64 b0 = bucketOf(fromNs), b1 = bucketOf(toNs);
    for (const Track &t : m_levels[size_t(level)][size_t(block)].tracks) {
        const qint64 from = std::max(b0, t.first), to = std::min(b1, t.first + qint64(t.cov.size()) - 1);
        if (to >= from)
            f(t.sub, t.key, bucketStart(from), t.cov.data() + (from - t.first), qsizetype(to - from + 1));
    }
}

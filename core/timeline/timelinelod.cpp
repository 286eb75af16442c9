#include "timelinelod.h"

#include <algorithm>
#include <tuple>

namespace {

qint64 floorDiv(qint64 a, qint64 b)
{
    const qint64 q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

} // namespace

TimelineLod::TimelineLod(int rowsPerBlock, int maxBuckets, int levels)
    : m_rowsPerBlock(std::max(1, rowsPerBlock))
    , m_maxBuckets(std::max(16, maxBuckets))
    , m_levels(size_t(std::clamp(levels, 1, 4)))
{ }

void TimelineLod::clear()
{
    for (auto &level : m_levels)
        level.clear();
    m_bucketNs = 1 << 20;
    m_started = false;
    m_minBucket = m_maxBucket = 0;
}

qint64 TimelineLod::bucketOf(qint64 ns) const
{
    return floorDiv(ns - m_originNs, m_bucketNs);
}

TimelineLod::Track &TimelineLod::trackOf(Block &b, quint16 sub, quint16 key)
{
    for (Track &t : b.tracks) {
        if (t.sub == sub && t.key == key)
            return t;
    }
    b.tracks.push_back({ sub, key, 0, {} });
    return b.tracks.back();
}

void TimelineLod::add(qsizetype row, quint16 sub, quint16 key, qint64 startNs, qint64 endNs)
{
    if (row < 0 || endNs < startNs)
        return;
    if (!m_started) {
        m_started = true;
        m_originNs = startNs;
        m_minBucket = m_maxBucket = 0;
    }
    // Keep the run within maxBuckets: a wider run doubles the buckets (merging pairs).
    while (std::max(m_maxBucket, bucketOf(endNs)) - std::min(m_minBucket, bucketOf(startNs)) + 1
           > m_maxBuckets)
        coarsen();
    const qint64 b0 = bucketOf(startNs), b1 = bucketOf(endNs);
    m_minBucket = std::min(m_minBucket, b0);
    m_maxBucket = std::max(m_maxBucket, b1);
    for (int level = 0; level < levels(); ++level) {
        const size_t block = size_t(blockOf(row, level));
        if (block >= m_levels[size_t(level)].size())
            m_levels[size_t(level)].resize(block + 1);
        addTo(trackOf(m_levels[size_t(level)][block], sub, key), b0, b1, startNs, endNs);
    }
}

void TimelineLod::addTo(Track &t, qint64 b0, qint64 b1, qint64 startNs, qint64 endNs)
{
    if (t.cov.empty()) {
        t.first = b0;
    } else if (b0 < t.first) {
        t.cov.insert(t.cov.begin(), size_t(t.first - b0), 0.f);
        t.first = b0;
    }
    if (b1 - t.first + 1 > qint64(t.cov.size()))
        t.cov.resize(size_t(b1 - t.first + 1), 0.f);
    if (endNs == startNs) {
        t.cov[size_t(b0 - t.first)] += 1.f; // an instant still shows (a pixel's first bit)
        return;
    }
    for (qint64 b = b0; b <= b1; ++b) {
        const qint64 s = std::max(startNs, bucketStart(b)), e = std::min(endNs, bucketStart(b + 1));
        if (e > s)
            t.cov[size_t(b - t.first)] += float(e - s);
    }
}

void TimelineLod::coarsen()
{
    for (auto &level : m_levels) {
        for (Block &block : level) {
            for (Track &t : block.tracks) {
                if (t.cov.empty())
                    continue;
                const qint64 first = floorDiv(t.first, 2);
                const qint64 last = floorDiv(t.first + qint64(t.cov.size()) - 1, 2);
                std::vector<float> merged(size_t(last - first + 1), 0.f);
                for (size_t k = 0; k < t.cov.size(); ++k)
                    merged[size_t(floorDiv(t.first + qint64(k), 2) - first)] += t.cov[k];
                t.cov = std::move(merged);
                t.first = first;
            }
        }
    }
    m_minBucket = floorDiv(m_minBucket, 2);
    m_maxBucket = floorDiv(m_maxBucket, 2);
    m_bucketNs *= 2;
}

void TimelineLod::complete(qsizetype row)
{
    for (int level = 0; level < levels(); ++level) {
        const size_t block = size_t(blockOf(row, level));
        if (block >= m_levels[size_t(level)].size())
            m_levels[size_t(level)].resize(block + 1);
        ++m_levels[size_t(level)][block].complete;
    }
}

qsizetype TimelineLod::incompleteRows(qsizetype block, qsizetype rowCount, int level) const
{
    const qsizetype per = rowsPerBlock(level);
    const qsizetype rows = std::clamp<qsizetype>(rowCount - block * per, 0, per);
    const qsizetype done = block < blockCount(level) ? m_levels[size_t(level)][size_t(block)].complete : 0;
    return std::max<qsizetype>(0, rows - done);
}

double TimelineLod::coveredNs(qsizetype block, quint16 sub, quint16 key, qint64 fromNs, qint64 toNs) const
{
    if (block < 0 || block >= blockCount() || !m_started)
        return 0;
    double sum = 0;
    const qint64 b0 = bucketOf(fromNs), b1 = bucketOf(toNs);
    for (const Track &t : m_levels[0][size_t(block)].tracks) {
        if (t.sub != sub || t.key != key)
            continue;
        const qint64 from = std::max(b0, t.first), to = std::min(b1, t.first + qint64(t.cov.size()) - 1);
        for (qint64 b = from; b <= to; ++b) {
            const qint64 t0 = bucketStart(b), t1 = bucketStart(b + 1);
            const qint64 a = std::max(t0, fromNs), e = std::min(t1, toNs);
            // At most the bucket: pieces that overlap one another count once where they fill it.
            const double c = std::min(double(t.cov[size_t(b - t.first)]), double(t1 - t0));
            sum += e > a ? c * double(e - a) / double(t1 - t0) : 0.0;
        }
    }
    return sum;
}

bool StablePacker::freeOn(const std::vector<Interval> &sub, qint64 s, qint64 e) const
{
    // Sorted by start and not overlapping: only the neighbours of s can overlap [s, e].
    auto it
        = std::upper_bound(sub.begin(), sub.end(), s, [](qint64 t, const Interval &i) { return t < i.s; });
    if (it != sub.end() && it->s < e)
        return false;
    return it == sub.begin() || std::prev(it)->e <= s;
}

int StablePacker::place(qsizetype row, qint64 s, qint64 e)
{
    if (size_t(row) >= m_rows.size())
        m_rows.resize(size_t(row) + 1);
    auto &subs = m_rows[size_t(row)];
    for (int k = 0; k < m_maxSubs; ++k) {
        if (size_t(k) == subs.size())
            subs.emplace_back();
        auto &sub = subs[size_t(k)];
        if (k < m_maxSubs - 1 && !freeOn(sub, s, e))
            continue;
        if (k == m_maxSubs - 1)
            return k; // the overflow: shares the last, not kept (nothing is placed after it)
        auto at = std::upper_bound(sub.begin(), sub.end(), s,
                                   [](qint64 t, const Interval &i) { return t < i.s; });
        sub.insert(at, { s, e });
        return k;
    }
    return m_maxSubs - 1;
}

int StablePacker::probe(qsizetype row, qint64 s, qint64 e,
                        const std::vector<std::tuple<int, qint64, qint64>> &taken) const
{
    static const std::vector<Interval> none;
    for (int k = 0; k < m_maxSubs - 1; ++k) {
        const auto &sub = size_t(row) < m_rows.size() && size_t(k) < m_rows[size_t(row)].size()
            ? m_rows[size_t(row)][size_t(k)]
            : none;
        bool free = freeOn(sub, s, e);
        for (const auto &[ts, a, b] : taken)
            free = free && !(ts == k && a < e && s < b);
        if (free)
            return k;
    }
    return m_maxSubs - 1;
}

int StablePacker::subOf(qsizetype row, qint64 s, qint64 e) const
{
    if (size_t(row) >= m_rows.size())
        return 0;
    const auto &subs = m_rows[size_t(row)];
    for (size_t k = 0; k < subs.size(); ++k) {
        auto it = std::lower_bound(subs[k].begin(), subs[k].end(), s,
                                   [](const Interval &i, qint64 t) { return i.s < t; });
        for (; it != subs[k].end() && it->s == s; ++it) {
            if (it->e == e)
                return int(k);
        }
    }
    return m_maxSubs - 1;
}

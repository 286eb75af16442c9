#include "clockcorrections.h"

#include <QList>
#include <QSet>
#include <algorithm>

QHash<int, qint64> ClockCorrections::solve(const QMap<QPair<int, int>, qint64> &offsetsNs)
{
    QSet<int> hosts, called;
    for (auto it = offsetsNs.constBegin(); it != offsetsNs.constEnd(); ++it) {
        if (it.key().first == it.key().second)
            continue;
        hosts.insert(it.key().first);
        hosts.insert(it.key().second);
        called.insert(it.key().second);
    }
    QList<int> roots = hosts.values();
    std::sort(roots.begin(), roots.end());
    // Front ends first, then the rest (a group where every host is called by another).
    std::stable_partition(roots.begin(), roots.end(), [&](int h) { return !called.contains(h); });

    QHash<int, qint64> out;
    for (int root : std::as_const(roots)) {
        if (out.contains(root))
            continue;
        out.insert(root, 0);
        // Walk the group breadth first: a called host is its caller's correction plus the offset,
        // a caller its called host's minus it.
        QList<int> queue { root };
        for (qsizetype i = 0; i < queue.size(); ++i) {
            const int at = queue[i];
            for (auto it = offsetsNs.constBegin(); it != offsetsNs.constEnd(); ++it) {
                const int from = it.key().first, to = it.key().second;
                if (from == to)
                    continue;
                if (from == at && !out.contains(to)) {
                    out.insert(to, out.value(at) + it.value());
                    queue.append(to);
                } else if (to == at && !out.contains(from)) {
                    out.insert(from, out.value(at) - it.value());
                    queue.append(from);
                }
            }
        }
    }
    return out;
}

#pragma once

#include <QByteArrayView>
#include <QtGlobal>

// The server's "request_id" (a decimal string or number) from a reply: a scan, not a JSON
// parse, because the generator's cost per request is part of what it measures (issue #8).
// Replies that are not LoopScope's simply have none (0). Used by LoadWorker and bench_sse.
inline quint64 requestIdIn(QByteArrayView json)
{
    constexpr QByteArrayView key("\"request_id\"");
    qsizetype i = json.indexOf(key);
    if (i < 0)
        return 0;
    i += key.size();
    while (i < json.size() && (json[i] == ' ' || json[i] == ':' || json[i] == '"'))
        ++i;
    quint64 id = 0;
    for (; i < json.size() && json[i] >= '0' && json[i] <= '9'; ++i)
        id = id * 10 + quint64(json[i] - '0');
    return id;
}

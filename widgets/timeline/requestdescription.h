#pragma once

#include <QString>
#include <QStringList>

struct RequestRecord;

// Every timing of one request as HTML (tooltips and the details panel). Times are shown relative
// to `originNs` (the axes' t = 0); `nowNs` ends the pieces still running.
QString describeRequest(const RequestRecord &r, qint64 originNs, qint64 nowNs, qint64 clientSentNs = 0,
                        const QStringList &threadNames = {});

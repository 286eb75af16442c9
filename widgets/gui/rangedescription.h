#pragma once

#include <QCoreApplication>
#include <QString>

class TimelineData;
class TimeViewState;

// The details panel's text for a Shift+dragged time range: the figures of RangeStatistics
// (core/stats) for the requests that arrived in [fromNs, toNs), as HTML.
class RangeDescription
{
    Q_DECLARE_TR_FUNCTIONS(RangeDescription)
public:
    static QString describe(const TimelineData &data, const TimeViewState &state, qint64 fromNs, qint64 toNs);
};

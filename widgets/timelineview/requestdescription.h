#pragma once

#include <QString>

struct TimelineDetails;

// Every timing of one request as HTML (tooltips and the details panel), from the model's details
// (TimelineModel::details). Times are shown relative to `originNs` (the axes' t = 0); `nowNs` ends
// the pieces still running.
QString describeRequest(const TimelineDetails &details, qint64 originNs, qint64 nowNs);

#pragma once

#include "timeline/clientcolours.h"

#include <QCoreApplication>
#include <QRect>

class QPainter;

// The request view's legend when its bars are coloured by who sent each request (issue #23):
// a box in the top-right corner of `area`, one chip per client value, then "N more".
struct ClientLegend
{
    Q_DECLARE_TR_FUNCTIONS(ClientLegend)
};
void paintClientLegend(QPainter &p, const ClientColours &colours, const QRect &area);

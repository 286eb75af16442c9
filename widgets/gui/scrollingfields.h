#pragma once

#include <QFrame>
#include <QLayout>
#include <QScrollArea>

// A panel's fields that scroll on their own, under the controls that stay in view (the server
// and users panels on a 1366x768 screen): `fields` in a frameless, vertical-only scroll area
// that keeps at least `minimumHeight` of them visible.
inline QScrollArea *scrollingFields(QLayout *fields, const QString &objectName, int minimumHeight)
{
    auto *content = new QWidget;
    content->setLayout(fields);
    auto *scroll = new QScrollArea;
    scroll->setObjectName(objectName);
    scroll->setWidget(content);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    scroll->setMinimumHeight(minimumHeight);
    return scroll;
}

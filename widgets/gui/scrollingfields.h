#pragma once

#include <QFrame>
#include <QLayout>
#include <QScrollArea>
#include <QScrollBar>

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
    // Without a horizontal scroll bar, a viewport narrower than the fields would cut their right
    // edge (a button beside a field): the area is at least as wide as the fields need, with room
    // for the vertical bar.
    scroll->setMinimumWidth(content->minimumSizeHint().width()
                            + scroll->verticalScrollBar()->sizeHint().width());
    return scroll;
}

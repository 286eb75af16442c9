#pragma once

#include <QToolBar>

class QAction;
class QLabel;
class QToolButton;
class TimeViewState;

// The timelines' view controls, in a toolbar so the legend keeps the whole width: follow live,
// fit all, the width of the visible time window, the run being shown with "Back to live", and
// a reminder of the mouse gestures.
class ViewToolBar : public QToolBar
{
    Q_OBJECT
public:
    explicit ViewToolBar(TimeViewState *state, QWidget *parent = nullptr);

    // A saved run or a lesson is shown, titled `html`; an empty title: the live server.
    void setShownRun(const QString &html);

signals:
    void fitRequested();
    void liveRequested();

private:
    QToolButton *m_follow;
    QLabel *m_runLabel;
    QAction *m_runLabelAction, *m_liveAction;
};

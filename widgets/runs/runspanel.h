#pragma once

#include "runs/sessionrun.h"

#include <QWidget>

class QListWidget;
class QPushButton;

// The Runs dock: every run finished or opened in this session. Pick one to show it in the window
// (or replay it as a lesson), two to compare them; save a run.json or export a report.
class RunsPanel : public QWidget
{
    Q_OBJECT
public:
    explicit RunsPanel(QWidget *parent = nullptr);

    void addRun(const SessionRun &run);
    qsizetype count() const { return m_runs.size(); }
    const SessionRun &at(qsizetype i) const { return m_runs.at(i); }
    QList<int> selectedRows() const;
    void select(const QList<int> &rows);

signals:
    void showRequested(int row);
    void replayRequested(int row);
    void compareRequested(int a, int b);
    void saveRequested(int row);
    void exportRequested(int row);
    void openRequested();

private:
    void updateButtons();

    QList<SessionRun> m_runs;
    QListWidget *m_list;
    QPushButton *m_show, *m_replay, *m_compare, *m_save, *m_export;
};

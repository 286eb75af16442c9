#pragma once

#include <QObject>

class MainWindow;
class QMenu;

// The window's menus and the dialogs behind them: File (plots, runs, reports, observing other
// services), View (palette, follow, fonts, lesson replay, language, panels), Server (language
// model) and Help; and the file dialogs of the Runs panel's buttons. It asks the window and its
// panels to act; it computes nothing itself.
class WindowActions : public QObject
{
    Q_OBJECT
public:
    explicit WindowActions(MainWindow *window);

private:
    void buildFile(QMenu *menu);
    void buildView(QMenu *menu);
    void buildServer(QMenu *menu);
    void buildHelp(QMenu *menu);
    void connectRuns();
    void exportReport(int row);

    MainWindow *m_window;
};

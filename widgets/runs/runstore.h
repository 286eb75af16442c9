#pragma once

#include "runs/sessionrun.h"

#include <QCoreApplication>
#include <QStringList>
#include <vector>

class ChatServer;
class RunsPanel;
class UsersPanel;

// The session's runs behind the Runs list: every finished run is kept, run.json files are read
// into it and written from it, reports exported. The window only asks for file names.
class RunStore
{
    // The texts moved here from MainWindow and keep its translation context.
    Q_DECLARE_TR_FUNCTIONS(MainWindow)
public:
    explicit RunStore(RunsPanel *panel)
        : m_panel(panel)
    { }
    void add(const SessionRun &run);
    // Reads a run.json; every variant joins the list. Returns the row of the first, or -1.
    int open(const QString &path, int *variants, QString *error);
    bool save(int row, const QString &path, QString *error) const;
    // run.json, requests.csv, trace.json, report.html and report.pdf into dir.
    bool exportReport(int row, const QString &dir, QStringList *written, QString *error) const;
    // The users panel's load just finished: keeps it as a run, titled by its scenario (or as a
    // burst), with the server records and counters of its time.
    void captureLoad(const UsersPanel *users, ChatServer *server, const std::vector<RequestRecord> &records);

private:
    RunsPanel *m_panel;
};
